#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/service_client.hpp"
#include "codeguru/finding.hpp"

namespace codeguru {

// The two CodeGuru Security operations the daemon uses, over rest-json.
// Thread-safe as the ServiceClient is. Errors: aws::ApiError.
class CodeGuruClient {
  public:
    explicit CodeGuruClient(aws::ServiceClient& service) : service_(service) {}

    // One GetFindings page. `status` is Open, Closed or All; `max_results` 1..1000.
    // Logs (warn) members left out for having the wrong type and replaced bad UTF-8.
    FindingsPage get_findings(const std::string& scan_name, const std::string& status,
                              int max_results, const std::optional<std::string>& next_token);

    // Every scan name ListScans returns, paging to the end.
    std::vector<std::string> list_scans();

  private:
    aws::ServiceClient& service_;
};

// "https://codeguru-security.{region}.amazonaws.com"
std::string default_codeguru_endpoint(const std::string& region);

}  // namespace codeguru
