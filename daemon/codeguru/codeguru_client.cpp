#include "codeguru/codeguru_client.hpp"

#include <spdlog/spdlog.h>

#include "codeguru/finding_json.hpp"

namespace codeguru {

std::string default_codeguru_endpoint(const std::string& region) {
    return "https://codeguru-security." + region + ".amazonaws.com";
}

FindingsPage CodeGuruClient::get_findings(const std::string& scan_name, const std::string& status,
                                          int max_results,
                                          const std::optional<std::string>& next_token) {
    aws::ServiceRequest request;
    request.path = "/findings/" + aws::uri_encode(scan_name);
    request.query.emplace_back("maxResults", std::to_string(max_results));
    if (next_token) request.query.emplace_back("nextToken", *next_token);
    request.query.emplace_back("status", status);

    ParsedFindingsPage parsed;
    service_.get(request, [&](const aws::HttpResponse& response) {
        parsed = parse_findings_page(response.body, static_cast<std::size_t>(max_results));
    });
    if (parsed.invalid_utf8_replaced > 0) {
        spdlog::warn(
            "scan {}: {} invalid UTF-8 sequence(s) in a GetFindings page replaced with U+FFFD",
            scan_name, parsed.invalid_utf8_replaced);
    }
    for (const auto& warning : parsed.warnings) spdlog::warn("scan {}: {}", scan_name, warning);
    return std::move(parsed.page);
}

std::vector<std::string> CodeGuruClient::list_scans() {
    std::vector<std::string> names;
    std::optional<std::string> token;
    do {
        aws::ServiceRequest request;
        request.path = "/scans";
        request.query.emplace_back("maxResults", "100");
        if (token) request.query.emplace_back("nextToken", *token);
        ScanNamesPage page;
        service_.get(request, [&](const aws::HttpResponse& response) {
            page = parse_scans_page(response.body);
        });
        names.insert(names.end(), page.scan_names.begin(), page.scan_names.end());
        token = page.next_token;
    } while (token);
    return names;
}

}  // namespace codeguru
