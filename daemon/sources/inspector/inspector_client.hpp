#pragma once

#include <optional>
#include <string>
#include <vector>

#include "aws/service_client.hpp"
#include "sources/inspector/inspector_finding.hpp"

namespace codeguru::inspector {

// BatchGetCodeSnippet takes at most this many finding ARNs per call.
inline constexpr std::size_t kMaxSnippetBatch = 10;

// The two Amazon Inspector operations the daemon uses (service inspector2, rest-json, one
// region per client). Thread-safe as the ServiceClient is. Errors: aws::ApiError; an answer
// that breaks the API's contract (code "InvalidResponse") is never retried.
class InspectorClient {
  public:
    // `region` names the client's stream in log lines; `service` signs for that region.
    InspectorClient(aws::ServiceClient& service, std::string region)
        : service_(service), region_(std::move(region)) {}

    // One ListFindings page: POST /findings/list with `filter_criteria` (a JSON object, sent
    // verbatim: a resumed pass must send its first page's filter byte for byte). A page with
    // more than `max_results` (1..100) findings is an InvalidResponse. Logs (warn) members
    // left out for a wrong type and replaced bad UTF-8. `stop` aborts this call alone.
    FindingsPage list_findings(const std::string& filter_criteria, int max_results,
                               const std::optional<std::string>& next_token,
                               StopFlag* stop = nullptr);

    // Code snippets of 1..kMaxSnippetBatch findings: POST /codesnippet/batchget. Per-ARN
    // errors come back in the batch, not as exceptions.
    SnippetBatch batch_get_code_snippet(const std::vector<std::string>& finding_arns,
                                        StopFlag* stop = nullptr);

    const std::string& region() const { return region_; }

  private:
    aws::ServiceClient& service_;
    std::string region_;
};

// "https://inspector2.{region}.amazonaws.com"
std::string default_inspector_endpoint(const std::string& region);

// The ListFindings body: {"maxResults":N,"filterCriteria":...,"nextToken":"..."}.
std::string list_findings_body(const std::string& filter_criteria, int max_results,
                               const std::optional<std::string>& next_token);

}  // namespace codeguru::inspector
