#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "aws/service_client.hpp"
#include "sources/codeguru/finding.hpp"

namespace codeguru {

// Bounds that keep a broken API from looping the client forever.
struct CodeGuruClientLimits {
    std::size_t max_list_scans_pages = 10'000;  // ListScans pages in one listing
};

// The two CodeGuru Security operations the daemon uses, over rest-json.
// Thread-safe as the ServiceClient is. Errors: aws::ApiError; an answer that breaks the
// API's contract (code "InvalidResponse") is never retried.
class CodeGuruClient {
  public:
    explicit CodeGuruClient(aws::ServiceClient& service, CodeGuruClientLimits limits = {})
        : service_(service), limits_(limits) {}

    // One GetFindings page. `status` is Open, Closed or All; `max_results` 1..1000.
    // A page with more than `max_results` findings is an InvalidResponse. Logs (warn)
    // members left out for having the wrong type (the first kMaxWarningsPerPage, then
    // how many more) and replaced bad UTF-8.
    // `stop` (optional, linked to the client's own) aborts this call alone.
    FindingsPage get_findings(const std::string& scan_name, const std::string& status,
                              int max_results, const std::optional<std::string>& next_token,
                              StopFlag* stop = nullptr);

    // Every scan name ListScans returns, paging to the end. An InvalidResponse when a page
    // holds more scans than asked for, repeats the nextToken it was sent, or the listing
    // runs past limits.max_list_scans_pages.
    std::vector<std::string> list_scans();

  private:
    aws::ServiceClient& service_;
    CodeGuruClientLimits limits_;
};

// "https://codeguru-security.{region}.amazonaws.com"
std::string default_codeguru_endpoint(const std::string& region);

}  // namespace codeguru
