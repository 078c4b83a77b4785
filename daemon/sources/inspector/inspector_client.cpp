#include "sources/inspector/inspector_client.hpp"

#include <nlohmann/json.hpp>

#include "aws/api_error.hpp"
#include "sources/inspector/finding_json.hpp"
#include "sources/json_mapping/answer_warnings.hpp"

namespace codeguru::inspector {
namespace {

// The error of an answer that breaks the API's contract: a retry would not mend it.
aws::ApiError invalid_response(const std::string& message, long http_status) {
    return aws::ApiError("InvalidResponse", message, http_status, false);
}

}  // namespace

std::string default_inspector_endpoint(const std::string& region) {
    return "https://inspector2." + region + ".amazonaws.com";
}

std::string list_findings_body(const std::string& filter_criteria, int max_results,
                               const std::optional<std::string>& next_token) {
    std::string body = "{\"maxResults\":" + std::to_string(max_results);
    if (!filter_criteria.empty()) body += ",\"filterCriteria\":" + filter_criteria;
    if (next_token) body += ",\"nextToken\":" + nlohmann::json(*next_token).dump();
    body += '}';
    return body;
}

FindingsPage InspectorClient::list_findings(const std::string& filter_criteria, int max_results,
                                            const std::optional<std::string>& next_token,
                                            StopFlag* stop) {
    aws::ServiceRequest request;
    request.method = "POST";
    request.path = "/findings/list";
    request.body = list_findings_body(filter_criteria, max_results, next_token);

    ParsedFindingsPage parsed;
    service_.send(
        request,
        [&](const aws::HttpResponse& response) {
            try {
                parsed = parse_findings_page(response.body, static_cast<std::size_t>(max_results));
            } catch (const OversizedPageError& e) {
                throw invalid_response(e.what(), response.status);
            }
        },
        stop);
    log_answer_warnings("inspector " + region_, "ListFindings page", parsed);
    return std::move(parsed.page);
}

SnippetBatch InspectorClient::batch_get_code_snippet(const std::vector<std::string>& finding_arns,
                                                     StopFlag* stop) {
    aws::ServiceRequest request;
    request.method = "POST";
    request.path = "/codesnippet/batchget";
    request.body = nlohmann::json{{"findingArns", finding_arns}}.dump();

    ParsedSnippetBatch parsed;
    service_.send(
        request,
        [&](const aws::HttpResponse& response) { parsed = parse_snippet_batch(response.body); },
        stop);
    log_answer_warnings("inspector " + region_, "BatchGetCodeSnippet answer", parsed);
    return std::move(parsed.batch);
}

}  // namespace codeguru::inspector
