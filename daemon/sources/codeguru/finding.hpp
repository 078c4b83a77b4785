#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/timestamp.hpp"

namespace codeguru {

// The CodeGuru Security `Finding` shape. Every member is optional on the wire;
// an absent member stays std::nullopt and is never invented. The model depends on nothing.
struct CodeLine {
    std::optional<std::int64_t> number;
    std::optional<std::string> content;
};

struct FilePath {
    std::optional<std::string> name;
    std::optional<std::string> path;
    std::optional<std::int64_t> start_line;
    std::optional<std::int64_t> end_line;
    std::optional<std::vector<CodeLine>> code_snippet;
};

struct Vulnerability {
    std::optional<std::string> id;
    std::optional<std::int64_t> item_count;
    std::optional<std::vector<std::string>> reference_urls;
    std::optional<std::vector<std::string>> related_vulnerabilities;
    std::optional<FilePath> file_path;
};

struct Recommendation {
    std::optional<std::string> text;
    std::optional<std::string> url;
};

struct SuggestedFix {
    std::optional<std::string> description;
    std::optional<std::string> code;
};

struct Remediation {
    std::optional<Recommendation> recommendation;
    std::optional<std::vector<SuggestedFix>> suggested_fixes;
};

struct Resource {
    std::optional<std::string> id;
    std::optional<std::string> sub_resource_id;
};

struct Finding {
    std::optional<std::string> id;
    std::optional<Timestamp> created_at;
    std::optional<Timestamp> updated_at;
    std::optional<std::string> title;
    std::optional<std::string> description;
    std::optional<std::string> type;
    std::optional<std::string> status;
    std::optional<std::string> severity;
    std::optional<std::string> generator_id;
    std::optional<std::string> detector_id;
    std::optional<std::string> detector_name;
    std::optional<std::vector<std::string>> detector_tags;
    std::optional<std::string> rule_id;
    std::optional<Resource> resource;
    std::optional<Remediation> remediation;
    std::optional<Vulnerability> vulnerability;
};

// One GetFindings answer. No next_token on the last page.
struct FindingsPage {
    std::vector<Finding> findings;
    std::optional<std::string> next_token;
};

}  // namespace codeguru
