#include "sources/codeguru/codeguru_client.hpp"

#include <spdlog/spdlog.h>

#include "aws/api_error.hpp"
#include "sources/codeguru/finding_json.hpp"
#include "sources/json_mapping/answer_warnings.hpp"
#include "sources/json_mapping/invalid_answer.hpp"

namespace codeguru {
namespace {

constexpr int kListScansPageSize = 100;

}  // namespace

std::string default_codeguru_endpoint(const std::string& region) {
    return "https://codeguru-security." + region + ".amazonaws.com";
}

FindingsPage CodeGuruClient::get_findings(const std::string& scan_name, const std::string& status,
                                          int max_results,
                                          const std::optional<std::string>& next_token,
                                          StopFlag* stop) {
    aws::ServiceRequest request;
    request.path = "/findings/" + aws::uri_encode(scan_name);
    request.query.emplace_back("maxResults", std::to_string(max_results));
    if (next_token) request.query.emplace_back("nextToken", *next_token);
    request.query.emplace_back("status", status);

    ParsedFindingsPage parsed;
    service_.get(
        request,
        [&](const aws::HttpResponse& response) {
            parsed = parse_answer_body(response, [&](const std::string& body) {
                return parse_findings_page(body, static_cast<std::size_t>(max_results));
            });
        },
        stop);
    log_answer_warnings("scan " + scan_name, "GetFindings page", parsed);
    return std::move(parsed.page);
}

std::vector<std::string> CodeGuruClient::list_scans() {
    std::vector<std::string> names;
    std::optional<std::string> token;
    std::size_t pages = 0;
    do {
        if (pages == limits_.max_list_scans_pages) {
            throw invalid_response(
                "ListScans did not end within " + std::to_string(pages) + " pages", 200);
        }
        aws::ServiceRequest request;
        request.path = "/scans";
        request.query.emplace_back("maxResults", std::to_string(kListScansPageSize));
        if (token) request.query.emplace_back("nextToken", *token);
        ScanNamesPage page;
        service_.get(request, [&](const aws::HttpResponse& response) {
            page = parse_answer_body(response, [](const std::string& body) {
                return parse_scans_page(body, kListScansPageSize);
            });
        });
        ++pages;
        names.insert(names.end(), page.scan_names.begin(), page.scan_names.end());
        if (token && page.next_token == token) {
            throw invalid_response(
                "ListScans answered with the nextToken it was sent (repeated nextToken)", 200);
        }
        token = std::move(page.next_token);
    } while (token);
    return names;
}

}  // namespace codeguru
