#include "sources/inspector/inspector_client.hpp"

#include <nlohmann/json.hpp>

#include "aws/api_error.hpp"
#include "sources/inspector/finding_json.hpp"
#include "sources/json_mapping/answer_warnings.hpp"
#include "sources/json_mapping/invalid_answer.hpp"

namespace codeguru::inspector {

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
            parsed = parse_answer_body(response, [&](const std::string& body) {
                return parse_findings_page(body, static_cast<std::size_t>(max_results));
            });
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
