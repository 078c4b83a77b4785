// Differential test of the two page mappers: the SAX mapper (sax_mapper.hpp, nlohmann) and
// the On-Demand mapper (ondemand_mapper.hpp, simdjson) must make the same of every body:
// the same model, field by field, the same warnings, the same U+FFFD count, and the same
// error (class and message). The SAX mapper is the oracle; the bodies are every generated
// page and snippet batch, the fuzz corpus, and thousands of deterministic mutations of them.
//
// Both mappers are handed the sources' very member tables. Those live in anonymous
// namespaces of the sources' finding_json.cpp, so this file compiles the two sources once
// more, their public functions renamed so as not to clash with the library's.
#define finding_from_json differential_finding_from_json
#define parse_findings_page differential_parse_findings_page
#define parse_scans_page differential_parse_scans_page
#define parse_snippet_batch differential_parse_snippet_batch
#include "sources/codeguru/finding_json.cpp"
#include "sources/inspector/finding_json.cpp"
#undef finding_from_json
#undef parse_findings_page
#undef parse_scans_page
#undef parse_snippet_batch

namespace codeguru {
const json_mapping::AnswerSpec& differential_get_findings_spec() {
    return kGetFindings;
}
}  // namespace codeguru
namespace codeguru::inspector {
const json_mapping::AnswerSpec& differential_list_findings_spec() {
    return kListFindings;
}
const json_mapping::AnswerSpec& differential_snippet_batch_spec() {
    return kBatchGetCodeSnippet;
}
}  // namespace codeguru::inspector

#include <algorithm>
#include <bit>
#include <catch2/catch.hpp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "finding_generator.hpp"
#include "inspector_generator.hpp"
#include "sources/json_mapping/ondemand_mapper.hpp"
#include "sources/json_mapping/sax_mapper.hpp"

namespace {

using codeguru::OversizedPageError;
using codeguru::ParsedAnswer;
using codeguru::Timestamp;
using codeguru::aws::MalformedResponseError;
using codeguru::json_mapping::AnswerSpec;
using nlohmann::json;

// ---------------------------------------------------------------------------------------
// A canonical dump of a page: every field of every entry, absent distinct from empty,
// text length-prefixed so that no two pages dump alike.

class Dump {
  public:
    const std::string& str() const { return out_; }

    void text(std::string_view name, const std::optional<std::string>& v) {
        key(name);
        v ? quoted(*v) : absent();
    }
    void text(std::string_view name, const std::string& v) {
        key(name);
        quoted(v);
    }
    void integer(std::string_view name, const std::optional<std::int64_t>& v) {
        key(name);
        v ? void(out_ += std::to_string(*v) + ";") : absent();
    }
    void number(std::string_view name, const std::optional<double>& v) {
        key(name);
        v ? void(out_ += "0x" + hex(std::bit_cast<std::uint64_t>(*v)) + ";") : absent();
    }
    void time(std::string_view name, const std::optional<Timestamp>& v) {
        key(name);
        v ? void(out_ += std::to_string(v->time_since_epoch().count()) + "us;") : absent();
    }
    void texts(std::string_view name, const std::optional<std::vector<std::string>>& v) {
        key(name);
        if (!v) return absent();
        out_ += "[";
        for (const auto& t : *v) quoted(t);
        out_ += "];";
    }
    template <class T, class F>
    void object(std::string_view name, const std::optional<T>& v, F each) {
        key(name);
        if (!v) return absent();
        out_ += "{";
        each(*this, *v);
        out_ += "};";
    }
    template <class T, class F>
    void list(std::string_view name, const std::vector<T>& v, F each) {
        key(name);
        out_ += "[";
        for (const auto& element : v) {
            out_ += "{";
            each(*this, element);
            out_ += "}";
        }
        out_ += "];";
    }
    template <class T, class F>
    void list(std::string_view name, const std::optional<std::vector<T>>& v, F each) {
        if (!v) {
            key(name);
            return absent();
        }
        list(name, *v, each);
    }

  private:
    static std::string hex(std::uint64_t v) {
        std::ostringstream s;
        s << std::hex << v;
        return s.str();
    }
    void key(std::string_view name) { out_.append(name).append("="); }
    void absent() { out_ += "absent;"; }
    void quoted(std::string_view t) {
        out_ += std::to_string(t.size()) + ":";
        out_.append(t);
        out_ += ";";
    }

    std::string out_;
};

void dump_page(Dump& d, const codeguru::FindingsPage& page) {
    using namespace codeguru;
    d.list("findings", page.findings, [](Dump& d, const Finding& f) {
        d.text("id", f.id);
        d.time("createdAt", f.created_at);
        d.time("updatedAt", f.updated_at);
        d.text("title", f.title);
        d.text("description", f.description);
        d.text("type", f.type);
        d.text("status", f.status);
        d.text("severity", f.severity);
        d.text("generatorId", f.generator_id);
        d.text("detectorId", f.detector_id);
        d.text("detectorName", f.detector_name);
        d.texts("detectorTags", f.detector_tags);
        d.text("ruleId", f.rule_id);
        d.object("resource", f.resource, [](Dump& d, const Resource& r) {
            d.text("id", r.id);
            d.text("subResourceId", r.sub_resource_id);
        });
        d.object("remediation", f.remediation, [](Dump& d, const Remediation& r) {
            d.object("recommendation", r.recommendation, [](Dump& d, const Recommendation& r) {
                d.text("text", r.text);
                d.text("url", r.url);
            });
            d.list("suggestedFixes", r.suggested_fixes, [](Dump& d, const SuggestedFix& s) {
                d.text("description", s.description);
                d.text("code", s.code);
            });
        });
        d.object("vulnerability", f.vulnerability, [](Dump& d, const Vulnerability& v) {
            d.text("id", v.id);
            d.integer("itemCount", v.item_count);
            d.texts("referenceUrls", v.reference_urls);
            d.texts("relatedVulnerabilities", v.related_vulnerabilities);
            d.object("filePath", v.file_path, [](Dump& d, const FilePath& p) {
                d.text("name", p.name);
                d.text("path", p.path);
                d.integer("startLine", p.start_line);
                d.integer("endLine", p.end_line);
                d.list("codeSnippet", p.code_snippet, [](Dump& d, const CodeLine& l) {
                    d.integer("number", l.number);
                    d.text("content", l.content);
                });
            });
        });
    });
    d.text("nextToken", page.next_token);
}

void dump_page(Dump& d, const codeguru::inspector::FindingsPage& page) {
    using namespace codeguru::inspector;
    d.list("findings", page.findings, [](Dump& d, const Finding& f) {
        d.text("findingArn", f.finding_arn);
        d.text("awsAccountId", f.aws_account_id);
        d.text("type", f.type);
        d.text("title", f.title);
        d.text("description", f.description);
        d.text("severity", f.severity);
        d.text("status", f.status);
        d.time("firstObservedAt", f.first_observed_at);
        d.time("lastObservedAt", f.last_observed_at);
        d.time("updatedAt", f.updated_at);
        d.number("inspectorScore", f.inspector_score);
        d.number("epssScore", f.epss_score);
        d.text("fixAvailable", f.fix_available);
        d.text("exploitAvailable", f.exploit_available);
        d.time("lastKnownExploitAt", f.last_known_exploit_at);
        d.text("recommendationText", f.recommendation_text);
        d.text("recommendationUrl", f.recommendation_url);
        d.list("resources", f.resources, [](Dump& d, const Resource& r) {
            d.text("type", r.type);
            d.text("id", r.id);
            d.text("partition", r.partition);
            d.text("region", r.region);
            d.text("tagsJson", r.tags_json);
            d.text("detailsJson", r.details_json);
            d.object("codeRepository", r.code_repository, [](Dump& d, const CodeRepository& c) {
                d.text("projectName", c.project_name);
                d.text("integrationArn", c.integration_arn);
                d.text("providerType", c.provider_type);
            });
        });
        d.object("code", f.code, [](Dump& d, const CodeVulnerabilityDetails& c) {
            d.text("fileName", c.file_name);
            d.text("filePath", c.file_path);
            d.integer("startLine", c.start_line);
            d.integer("endLine", c.end_line);
            d.text("detectorId", c.detector_id);
            d.text("detectorName", c.detector_name);
            d.texts("detectorTags", c.detector_tags);
            d.text("ruleId", c.rule_id);
            d.texts("cwes", c.cwes);
            d.texts("referenceUrls", c.reference_urls);
            d.text("sourceLambdaLayerArn", c.source_lambda_layer_arn);
        });
        d.object("package", f.package, [](Dump& d, const PackageVulnerabilityDetails& p) {
            d.text("vulnerabilityId", p.vulnerability_id);
            d.text("source", p.source);
            d.text("sourceUrl", p.source_url);
            d.text("vendorSeverity", p.vendor_severity);
            d.time("vendorCreatedAt", p.vendor_created_at);
            d.time("vendorUpdatedAt", p.vendor_updated_at);
            d.texts("referenceUrls", p.reference_urls);
            d.texts("relatedVulnerabilities", p.related_vulnerabilities);
            d.list("cvss", p.cvss, [](Dump& d, const Cvss& c) {
                d.number("baseScore", c.base_score);
                d.text("scoringVector", c.scoring_vector);
                d.text("version", c.version);
                d.text("source", c.source);
            });
            d.list("vulnerablePackages", p.vulnerable_packages,
                   [](Dump& d, const VulnerablePackage& v) {
                       d.text("name", v.name);
                       d.text("version", v.version);
                       d.integer("epoch", v.epoch);
                       d.text("release", v.release);
                       d.text("arch", v.arch);
                       d.text("packageManager", v.package_manager);
                       d.text("filePath", v.file_path);
                       d.text("fixedInVersion", v.fixed_in_version);
                       d.text("remediation", v.remediation);
                       d.text("sourceLayerHash", v.source_layer_hash);
                       d.text("sourceLambdaLayerArn", v.source_lambda_layer_arn);
                   });
        });
        d.object("network", f.network, [](Dump& d, const NetworkReachabilityDetails& n) {
            d.text("protocol", n.protocol);
            d.integer("openPortBegin", n.open_port_begin);
            d.integer("openPortEnd", n.open_port_end);
            d.list("steps", n.steps, [](Dump& d, const NetworkPathStep& s) {
                d.text("componentId", s.component_id);
                d.text("componentType", s.component_type);
                d.text("componentArn", s.component_arn);
            });
        });
    });
    d.text("nextToken", page.next_token);
}

void dump_page(Dump& d, const codeguru::inspector::SnippetBatch& batch) {
    using namespace codeguru::inspector;
    d.list("codeSnippetResults", batch.results, [](Dump& d, const CodeSnippet& s) {
        d.text("findingArn", s.finding_arn);
        d.integer("startLine", s.start_line);
        d.integer("endLine", s.end_line);
        d.list("codeSnippet", s.lines, [](Dump& d, const SnippetLine& l) {
            d.integer("lineNumber", l.line_number);
            d.text("content", l.content);
        });
        d.list("suggestedFixes", s.suggested_fixes, [](Dump& d, const SnippetFix& f) {
            d.text("description", f.description);
            d.text("code", f.code);
        });
    });
    d.list("errors", batch.errors, [](Dump& d, const SnippetError& e) {
        d.text("findingArn", e.finding_arn);
        d.text("errorCode", e.error_code);
        d.text("errorMessage", e.message);
    });
}

// ---------------------------------------------------------------------------------------
// Running both mappers.

enum class Answer { kGetFindings, kListFindings, kSnippetBatch };

const AnswerSpec& spec_of(Answer answer) {
    switch (answer) {
        case Answer::kGetFindings:
            return codeguru::differential_get_findings_spec();
        case Answer::kListFindings:
            return codeguru::inspector::differential_list_findings_spec();
        case Answer::kSnippetBatch:
            break;
    }
    return codeguru::inspector::differential_snippet_batch_spec();
}

// What a mapper made of a body.
struct Outcome {
    std::string error;  // "" when it mapped the body, else the class and message thrown
    std::string page;   // the canonical dump
    std::vector<std::string> warnings;
    std::size_t more_warnings = 0;
    std::size_t invalid_utf8_replaced = 0;

    bool operator==(const Outcome&) const = default;
};

template <class Page>
Outcome outcome_of(bool ondemand, std::string_view body, const AnswerSpec& spec,
                   std::size_t max_entries) {
    Outcome o;
    try {
        const ParsedAnswer<Page> parsed =
            ondemand ? codeguru::json_mapping::ondemand::parse_answer<Page>(body, spec, max_entries)
                     : codeguru::json_mapping::parse_answer<Page>(body, spec, max_entries);
        Dump d;
        dump_page(d, parsed.page);
        o.page = d.str();
        o.warnings = parsed.warnings;
        o.more_warnings = parsed.more_warnings;
        o.invalid_utf8_replaced = parsed.invalid_utf8_replaced;
    } catch (const OversizedPageError& e) {
        o.error = std::string("OversizedPageError: ") + e.what();
    } catch (const MalformedResponseError& e) {
        o.error = std::string("MalformedResponseError: ") + e.what();
    } catch (const std::exception& e) {
        o.error = std::string("unexpected exception: ") + e.what();
    }
    return o;
}

Outcome outcome_of(bool ondemand, Answer answer, std::string_view body, std::size_t max_entries) {
    const AnswerSpec& spec = spec_of(answer);
    switch (answer) {
        case Answer::kGetFindings:
            return outcome_of<codeguru::FindingsPage>(ondemand, body, spec, max_entries);
        case Answer::kListFindings:
            return outcome_of<codeguru::inspector::FindingsPage>(ondemand, body, spec, max_entries);
        case Answer::kSnippetBatch:
            break;
    }
    return outcome_of<codeguru::inspector::SnippetBatch>(ondemand, body, spec, max_entries);
}

std::string printable(std::string_view text, std::size_t limit = 400) {
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < limit; ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x20 && c < 0x7F) {
            out.push_back(static_cast<char>(c));
        } else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (text.size() > limit) out += "... (" + std::to_string(text.size()) + " bytes)";
    return out;
}

std::string describe(const Outcome& o) {
    if (!o.error.empty()) return o.error;
    std::string s = "mapped, " + std::to_string(o.warnings.size()) + " warning(s) + " +
                    std::to_string(o.more_warnings) + ", " +
                    std::to_string(o.invalid_utf8_replaced) + " replaced";
    for (const auto& w : o.warnings) s += "\n      " + printable(w, 200);
    return s;
}

// Runs both mappers over bodies and keeps what they disagree on.
class Differ {
  public:
    void compare(const std::string& label, std::string_view body, Answer answer,
                 std::size_t max_entries) {
        ++compared_;
        const Outcome sax = outcome_of(false, answer, body, max_entries);
        const Outcome ondemand = outcome_of(true, answer, body, max_entries);
        if (sax.error.empty()) ++mapped_;
        if (sax == ondemand) return;
        std::string what = label + " (max_entries " + std::to_string(max_entries) + ")\n" +
                           "  body: " + printable(body) + "\n  sax:      " + describe(sax) +
                           "\n  ondemand: " + describe(ondemand);
        if (sax.error.empty() && ondemand.error.empty() && sax.page != ondemand.page) {
            std::size_t at = 0;
            while (at < sax.page.size() && at < ondemand.page.size() &&
                   sax.page[at] == ondemand.page[at]) {
                ++at;
            }
            const std::size_t from = at > 80 ? at - 80 : 0;
            what += "\n  pages differ at " + std::to_string(at) +
                    ":\n    sax:      " + printable(sax.page.substr(from, 240)) +
                    "\n    ondemand: " + printable(ondemand.page.substr(from, 240));
        }
        divergences_.push_back(std::move(what));
    }

    // Fails the test case with the first divergences, and says how many bodies were seen.
    void report(std::string_view what) const {
        std::cout << "mapper differential, " << what << ": " << compared_ << " bodies compared ("
                  << mapped_ << " mapped, " << compared_ - mapped_ << " refused), "
                  << divergences_.size() << " divergence(s)" << std::endl;
        for (std::size_t i = 0; i < divergences_.size() && i < 8; ++i) {
            UNSCOPED_INFO(divergences_[i]);
        }
        CHECK(divergences_.empty());
        CHECK(compared_ > 0);
    }

    std::size_t compared() const { return compared_; }

  private:
    std::size_t compared_ = 0;
    std::size_t mapped_ = 0;
    std::vector<std::string> divergences_;
};

// ---------------------------------------------------------------------------------------
// Bodies.

std::string codeguru_page(std::size_t count, std::uint64_t seed, bool with_token) {
    json page;
    page["findings"] =
        codeguru::test::generate_findings("scan-" + std::to_string(seed), count, seed);
    if (with_token) page["nextToken"] = "token-" + std::to_string(seed);
    return page.dump();
}

std::vector<json> inspector_findings(std::size_t count, std::uint64_t seed, bool full_text) {
    codeguru::test::InspectorGenerateOptions options;
    options.seed = seed;
    options.count = count;
    options.full_text = full_text;
    options.regions = {"us-east-1", "eu-west-1"};
    return codeguru::test::generate_inspector_findings(options);
}

std::string inspector_page(std::size_t count, std::uint64_t seed, bool full_text, bool with_token) {
    json page;
    page["findings"] = inspector_findings(count, seed, full_text);
    if (with_token) page["nextToken"] = "next-" + std::to_string(seed);
    return page.dump();
}

// A BatchGetCodeSnippet answer for the code findings among `count`, one in three of them
// answered with an error instead.
std::string snippet_batch(std::size_t count, std::uint64_t seed) {
    json results = json::array();
    json errors = json::array();
    std::size_t k = 0;
    for (const json& finding : inspector_findings(count, seed, false)) {
        const auto snippet = codeguru::test::generate_code_snippet(finding, seed);
        if (!snippet) continue;
        if (k++ % 3 == 2) {
            errors.push_back({{"findingArn", finding["findingArn"]},
                              {"errorCode", "CODE_SNIPPET_NOT_FOUND"},
                              {"errorMessage", "no snippet for this finding"}});
        } else {
            results.push_back(*snippet);
        }
    }
    return json{{"codeSnippetResults", results}, {"errors", errors}}.dump();
}

struct CorpusFile {
    std::string name;
    std::string body;
    Answer answer;
};

std::vector<CorpusFile> corpus() {
    namespace fs = std::filesystem;
    std::vector<CorpusFile> files;
    for (const char* dir : {"finding_json", "inspector_json"}) {
        const fs::path root = fs::path(CODEGURU_SOURCE_DIR) / "fuzz" / "corpus" / dir;
        std::vector<fs::path> paths;
        for (const auto& entry : fs::directory_iterator(root)) paths.push_back(entry.path());
        std::sort(paths.begin(), paths.end());
        for (const fs::path& path : paths) {
            std::ifstream in(path, std::ios::binary);
            std::string body((std::istreambuf_iterator<char>(in)),
                             std::istreambuf_iterator<char>());
            const std::string name = path.filename().string();
            Answer answer = std::string_view(dir) == "finding_json" ? Answer::kGetFindings
                                                                    : Answer::kListFindings;
            if (name.rfind("snippet", 0) == 0) answer = Answer::kSnippetBatch;
            files.push_back({std::string(dir) + "/" + name, std::move(body), answer});
        }
    }
    return files;
}

// ---------------------------------------------------------------------------------------
// Deterministic mutations: only the raw outputs of a fixed-seed mt19937_64, so that every
// build sees the same bodies.

class Mutator {
  public:
    explicit Mutator(std::uint64_t seed) : rng_(seed) {}

    std::size_t below(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }
    template <class T, std::size_t N>
    const T& one_of(const T (&items)[N]) {
        return items[below(N)];
    }

    // One mutation of `base` (valid JSON when `dom` is set), named in `kind`.
    std::string mutate(const std::string& base, const json* dom, std::string& kind) {
        const std::size_t choice = below(dom != nullptr ? 16 : 8);
        std::string body = base;
        switch (choice) {
            case 0:
                kind = "byte replaced";
                if (!body.empty()) body[below(body.size())] = static_cast<char>(rng_() & 0xFF);
                break;
            case 1:
                kind = "bit flipped";
                if (!body.empty()) body[below(body.size())] ^= static_cast<char>(1u << below(8));
                break;
            case 2:
                kind = "truncated";
                body.resize(below(body.size()));
                break;
            case 3:
                kind = "range deleted";
                if (!body.empty()) {
                    const std::size_t at = below(body.size());
                    body.erase(at, 1 + below(16));
                }
                break;
            case 4:
                kind = "invalid UTF-8 inserted";
                insert_in_string(body, one_of(kInvalidUtf8));
                break;
            case 5:
                kind = "escape inserted";
                insert_in_string(body, one_of(kEscapes));
                break;
            case 6:
                kind = "structure broken";
                break_structure(body);
                break;
            case 7:
                kind = "top level changed";
                body = top_level(body);
                break;
            default:
                body = edit_member(*dom, kind);
                break;
        }
        // Now and then a second, blind mutation on top.
        if (below(8) == 0 && !body.empty()) {
            kind += " + byte replaced";
            body[below(body.size())] = static_cast<char>(rng_() & 0xFF);
        }
        return body;
    }

  private:
    // Values put in place of a member's value, as raw JSON text (some not JSON at all).
    static constexpr const char* kValues[] = {
        "null",
        "true",
        "false",
        "0",
        "-0",
        "1",
        "-1",
        "42",
        "1.5",
        "-2.25",
        "2.0",
        "1e3",
        "1E-2",
        "1.0e+2",
        "-0.0",
        "18446744073709551615",
        "18446744073709551616",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "9e18",
        "8.999999999999999e18",
        "1e308",
        "2e308",
        "-1e400",
        "1e-400",
        "4.9e-324",
        "123456789012345678901234567890",
        "1758000000.872",
        "1758000000.123456",
        "1758000000",
        "253402300799",
        "253402300800",
        "-62135596800",
        "-62135596801",
        "01",
        "1.",
        ".5",
        "-",
        "+1",
        "1e",
        "0x10",
        "NaN",
        "Infinity",
        "tru",
        "nul",
        "falsey",
        "\"\"",
        "\"text\"",
        "\"123\"",
        "\"-7\"",
        "\"1.5e3\"",
        "\" 12\"",
        "\"12 \"",
        "\"0x10\"",
        "\"9223372036854775808\"",
        "\"1e400\"",
        "\"inf\"",
        "\"NaN\"",
        "\"2025-09-16T05:20:00Z\"",
        "\"2025-09-16T05:20:00.123456789+02:00\"",
        "\"2025-09-16 05:20:00\"",
        "\"0000-01-01T00:00:00Z\"",
        "\"not a time\"",
        "\"\\u0000\"",
        "\"a\\u0000b\"",
        "\"\\ud83d\\ude00\"",
        "\"\\uD800\"",
        "\"\\uDC00x\"",
        "\"\\x\"",
        "\"\\u12\"",
        "\"tab\there\"",
        "[]",
        "{}",
        "[[]]",
        "[{}]",
        "[1,\"a\",null]",
        "[\"a\",\"b\"]",
        "[\"a\",1,[\"b\"],{\"c\":2}]",
        "{\"x\":1}",
        "{\"a\":{\"b\":[{}]}}",
        "[{\"number\":\"3\",\"content\":7}]",
        "{\"text\":\"t\",\"url\":null,\"Url\":\"u\"}",
        "[1,]",
        "[1 2]",
        "{\"a\" 1}",
        "{\"a\":1,}",
        "{1:2}",
        "[}",
        "{]",
        "[\"a\"",
        "{\"k\":[1,{\"x\":tru}]}",
        "{\"k\":\"\\q\"}",
        "{\"k\":01}",
        "[1e400]",
        "{\"codeRepository\":{\"projectName\":\"p\",\"providerType\":7},\"x\":[1.0,-0,1E2]}",
        "{\"n\":\"\\u0000\",\"\\u0000k\":[\"\\u0000\"]}"};
    static constexpr const char* kInvalidUtf8[] = {"\x80",
                                                   "\xBF",
                                                   "\xC0\xAF",
                                                   "\xC1\x81",
                                                   "\xC3",
                                                   "\xE2\x82",
                                                   "\xED\xA0\x80",
                                                   "\xF4\x90\x80\x80",
                                                   "\xF8\x88\x80\x80\x80",
                                                   "\xFF",
                                                   "\xFE"};
    static constexpr const char* kEscapes[] = {"\\u0000",
                                               "\\u0041",
                                               "\\u00e9",
                                               "\\u20AC",
                                               "\\ud83d\\ude00",
                                               "\\uD800",
                                               "\\uDC00",
                                               "\\uD800\\u0041",
                                               "\\uDBFF\\uDFFF",
                                               "\\\"",
                                               "\\\\",
                                               "\\/",
                                               "\\b\\f\\n\\r\\t",
                                               "\\x",
                                               "\\u12",
                                               "\\U0041",
                                               "\n",
                                               "\x01",
                                               "\x1F",
                                               "\x7F"};

    // Inserts `what` just after a random double quote (mostly inside a string, but not
    // always: a closing quote puts it outside).
    void insert_in_string(std::string& body, std::string_view what) {
        std::vector<std::size_t> quotes;
        for (std::size_t i = 0; i < body.size(); ++i) {
            if (body[i] == '"') quotes.push_back(i);
        }
        if (quotes.empty()) {
            body.insert(below(body.size() + 1), what);
            return;
        }
        body.insert(quotes[below(quotes.size())] + 1, what);
    }

    void break_structure(std::string& body) {
        static constexpr const char* kEdits[] = {",]", ",}", "]", "}",  "[",    "{",
                                                 ":",  ",",  " ", "\"", "\x00", "x"};
        std::vector<std::size_t> structural;
        for (std::size_t i = 0; i < body.size(); ++i) {
            const char c = body[i];
            if (c == ',' || c == ':' || c == '{' || c == '}' || c == '[' || c == ']') {
                structural.push_back(i);
            }
        }
        if (structural.empty()) return;
        const std::size_t at = structural[below(structural.size())];
        const std::size_t edit = below(std::size(kEdits));
        const std::string_view text(kEdits[edit], edit == 10 ? 1 : std::strlen(kEdits[edit]));
        if (below(2) == 0) {
            body.replace(at, 1, text);
        } else {
            body.insert(at, text);
        }
    }

    std::string top_level(const std::string& body) {
        switch (below(16)) {
            case 0:
                return "[" + body + "]";
            case 1:
                return "\"" + body.substr(0, 10) + "\"";
            case 2:
                return "123";
            case 3:
                return "null";
            case 4:
                return "";
            case 5:
                return " \t\r\n ";
            case 6:
                return body + " x";
            case 7:
                return body + std::string("\0{garbage", 9);
            case 8:
                return "\xEF\xBB\xBF" + body;
            case 9:
                return "\xEF\xBB" + body;
            case 10:
                return " \t\n" + body + "\r\n ";
            case 11:
                return body + "}";
            case 12:
                return body.empty() ? body : body.substr(1);
            case 13:
                return body + body;
            case 14:
                return "123" + body;
            default:
                return body + std::string("\0", 1);
        }
    }

    // A member or element of the document, by its container and its key or index.
    struct Slot {
        const json* container;
        std::string key;
        std::size_t index;
    };

    static void collect(const json& j, std::vector<Slot>& slots) {
        if (j.is_object()) {
            for (auto it = j.begin(); it != j.end(); ++it) {
                slots.push_back({&j, it.key(), 0});
                collect(it.value(), slots);
            }
        } else if (j.is_array()) {
            for (std::size_t i = 0; i < j.size(); ++i) {
                slots.push_back({&j, {}, i});
                collect(j[i], slots);
            }
        }
    }

    enum class Edit { kReplace, kDuplicateBefore, kDuplicateAfter, kRepeat, kRemove, kRenameKey };

    // Serializes `j` as dump() does, except at `slot`, where `edit` happens with `raw`.
    static void write(const json& j, const Slot& slot, Edit edit, const std::string& raw,
                      std::string& out) {
        if (!j.is_object() && !j.is_array()) {
            out += j.dump();
            return;
        }
        const bool object = j.is_object();
        out += object ? '{' : '[';
        bool first = true;
        const auto member = [&](const std::string* key, const std::string& value_text) {
            if (!first) out += ',';
            first = false;
            if (key != nullptr) out += json(*key).dump() + ":";
            out += value_text;
        };
        std::size_t i = 0;
        for (auto it = j.begin(); it != j.end(); ++it, ++i) {
            const std::string key = object ? it.key() : std::string();
            std::string value;
            write(it.value(), slot, edit, raw, value);
            const bool here = slot.container == &j && (object ? key == slot.key : i == slot.index);
            const std::string* k = object ? &key : nullptr;
            if (!here) {
                member(k, value);
                continue;
            }
            switch (edit) {
                case Edit::kReplace:
                    member(k, raw);
                    break;
                case Edit::kDuplicateBefore:
                    member(k, raw);
                    member(k, value);
                    break;
                case Edit::kDuplicateAfter:
                    member(k, value);
                    member(k, raw);
                    break;
                case Edit::kRepeat:
                    member(k, value);
                    member(k, value);
                    break;
                case Edit::kRemove:
                    break;
                case Edit::kRenameKey:
                    if (!first) out += ',';
                    first = false;
                    if (object) out += raw + ":";
                    out += value;
                    break;
            }
        }
        out += object ? '}' : ']';
    }

    // A key spelled with escapes: each character as \u00XX, or one of them.
    std::string escaped_key(const std::string& key) {
        std::string out = "\"";
        const bool all = below(2) == 0;
        const std::size_t one = below(key.size());
        for (std::size_t i = 0; i < key.size(); ++i) {
            if (all || i == one) {
                char buf[8];
                std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(key[i]));
                out += buf;
            } else {
                out += key[i];
            }
        }
        return out + "\"";
    }

    std::string nested(std::size_t depth) {
        std::string out;
        if (below(2) == 0) {
            out.append(depth, '[');
            out += "1";
            out.append(depth, ']');
        } else {
            for (std::size_t i = 0; i < depth; ++i) out += "{\"a\":";
            out += "\"x\"";
            out.append(depth, '}');
        }
        return out;
    }

    std::string edit_member(const json& dom, std::string& kind) {
        std::vector<Slot> slots;
        collect(dom, slots);
        if (slots.empty()) {
            kind = "top level changed";
            return top_level(dom.dump());
        }
        const Slot& slot = slots[below(slots.size())];
        const bool in_object = slot.container->is_object();
        std::string raw;
        Edit edit = Edit::kReplace;
        switch (below(8)) {
            case 0:
            case 1:
            case 2:
                kind = "value replaced";
                raw = one_of(kValues);
                break;
            case 3:
                kind = "value made null";
                raw = "null";
                break;
            case 4:
                kind = "member duplicated";
                edit = below(3) == 0   ? Edit::kRepeat
                       : below(2) == 0 ? Edit::kDuplicateBefore
                                       : Edit::kDuplicateAfter;
                raw = one_of(kValues);
                break;
            case 5:
                kind = "member removed";
                edit = Edit::kRemove;
                break;
            case 6: {
                static constexpr std::size_t kDepths[] = {2, 64, 1023, 1025, 3000};
                kind = "deep nesting";
                raw = nested(one_of(kDepths));
                break;
            }
            default:
                if (in_object) {
                    kind = "key escaped";
                    edit = Edit::kRenameKey;
                    raw = escaped_key(slot.key);
                } else {
                    kind = "element made empty";
                    raw = below(2) == 0 ? "{}" : "[]";
                }
                break;
        }
        std::string out;
        write(dom, slot, edit, raw, out);
        return out;
    }

    std::mt19937_64 rng_;
};

// The bodies mutated: small pages of each kind, and the corpus.
struct Base {
    std::string name;
    std::string body;
    Answer answer;
};

std::vector<Base> mutation_bases() {
    std::vector<Base> bases;
    for (std::uint64_t seed : {1, 2, 3}) {
        bases.push_back({"GetFindings page (seed " + std::to_string(seed) + ")",
                         codeguru_page(1 + seed, seed, seed != 2), Answer::kGetFindings});
        bases.push_back({"ListFindings page (seed " + std::to_string(seed) + ")",
                         inspector_page(2 + seed, seed, seed == 3, seed != 1),
                         Answer::kListFindings});
    }
    bases.push_back({"snippet batch", snippet_batch(12, 5), Answer::kSnippetBatch});
    for (CorpusFile& file : corpus()) {
        bases.push_back({file.name, std::move(file.body), file.answer});
    }
    return bases;
}

Answer other_answer(Answer answer, std::size_t pick) {
    static constexpr Answer kAll[] = {Answer::kGetFindings, Answer::kListFindings,
                                      Answer::kSnippetBatch};
    return kAll[(static_cast<std::size_t>(answer) + 1 + pick % 2) % 3];
}

}  // namespace

// The comparison itself: a difference anywhere, even absent against empty, is seen.
TEST_CASE("mapper differential: the comparison sees a difference in any one field") {
    const std::string base =
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":1}]}}}]})";
    const std::string changed[] = {
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":2}]}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{}]}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[]}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":1,"content":""}]}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":"x"}]}}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":1}]}}}],"nextToken":"t"})",
        "{\"findings\":[{\"id\":\"a\xFF\",\"vulnerability\":{\"filePath\":{\"codeSnippet\":[{"
        "\"number\":1}]}}}]}",
        R"({"findings":[{"id":"a","vulnerability":{"filePath":{"codeSnippet":[{"number":1}]}}}]]})",
    };
    const Outcome original = outcome_of(false, Answer::kGetFindings, base, 0);
    CHECK(original.error.empty());
    CHECK(original == outcome_of(true, Answer::kGetFindings, base, 0));
    for (const std::string& body : changed) {
        CHECK_FALSE(original == outcome_of(false, Answer::kGetFindings, body, 0));
        CHECK_FALSE(original == outcome_of(true, Answer::kGetFindings, body, 0));
    }
    // The same error, thrown as another class or with another message, is another outcome.
    Outcome malformed = outcome_of(true, Answer::kGetFindings, "[]", 0);
    CHECK(malformed.error == "MalformedResponseError: GetFindings answer is not a JSON object");
    CHECK_FALSE(malformed == outcome_of(true, Answer::kListFindings, "[]", 0));
    CHECK(outcome_of(true, Answer::kGetFindings, R"({"findings":[{},{}]})", 1).error ==
          "OversizedPageError: GetFindings returned more than 1 findings (maxResults=1)");
}

TEST_CASE(
    "mapper differential: both mappers make the same of every generated page and snippet batch") {
    Differ differ;
    for (std::uint64_t seed : {1, 7, 42}) {
        for (std::size_t count : {0, 1, 10, 100, 1000}) {
            const std::string name = "GetFindings page of " + std::to_string(count) + " (seed " +
                                     std::to_string(seed) + ")";
            const std::string body = codeguru_page(count, seed, seed != 42);
            differ.compare(name, body, Answer::kGetFindings, 0);
            differ.compare(name, body, Answer::kGetFindings, count);
            if (count > 0) differ.compare(name, body, Answer::kGetFindings, count - 1);
            differ.compare(name + " read as ListFindings", body, Answer::kListFindings, 0);
            differ.compare(name + " read as snippets", body, Answer::kSnippetBatch, 0);
        }
        for (std::size_t count : {0, 1, 10, 100, 500}) {
            for (bool full_text : {false, true}) {
                const std::string name = "ListFindings page of " + std::to_string(count) +
                                         (full_text ? ", full text" : "") + " (seed " +
                                         std::to_string(seed) + ")";
                const std::string body = inspector_page(count, seed, full_text, seed != 7);
                differ.compare(name, body, Answer::kListFindings, 0);
                differ.compare(name, body, Answer::kListFindings, count);
                if (count > 0) differ.compare(name, body, Answer::kListFindings, count - 1);
                differ.compare(name + " read as GetFindings", body, Answer::kGetFindings, 0);
            }
        }
        for (std::size_t count : {0, 10, 100}) {
            const std::string name = "snippet batch of " + std::to_string(count) + " (seed " +
                                     std::to_string(seed) + ")";
            const std::string body = snippet_batch(count, seed);
            differ.compare(name, body, Answer::kSnippetBatch, 0);
            differ.compare(name + " read as ListFindings", body, Answer::kListFindings, 0);
        }
    }
    // A scan that evolved between passes, as the sync sees it.
    auto findings = codeguru::test::generate_findings("evolving", 200, 9);
    codeguru::test::evolve_findings(findings, 10);
    differ.compare("evolved GetFindings page", json{{"findings", findings}}.dump(),
                   Answer::kGetFindings, 0);
    differ.compare("pretty-printed GetFindings page", json{{"findings", findings}}.dump(2),
                   Answer::kGetFindings, 0);
    differ.report("generated pages");
}

TEST_CASE("mapper differential: both mappers make the same of every file of the fuzz corpus") {
    Differ differ;
    for (const CorpusFile& file : corpus()) {
        for (Answer answer : {Answer::kGetFindings, Answer::kListFindings, Answer::kSnippetBatch}) {
            for (std::size_t max_entries : {0, 1, 2}) {
                differ.compare(file.name, file.body, answer, max_entries);
            }
        }
    }
    differ.report("fuzz corpus");
}

TEST_CASE("mapper differential: both mappers make the same of thousands of mutated bodies") {
    // 220 mutations of each base by default; more, or another seed, for a deeper run by hand:
    // MAPPER_DIFFERENTIAL_MUTATIONS=3000 MAPPER_DIFFERENTIAL_SEED=7 mapper_differential_tests
    const char* per_base = std::getenv("MAPPER_DIFFERENTIAL_MUTATIONS");
    const char* seed = std::getenv("MAPPER_DIFFERENTIAL_SEED");
    const std::size_t mutations_per_base = per_base != nullptr ? std::stoul(per_base) : 220;
    Differ differ;
    Mutator mutator(seed != nullptr ? std::stoull(seed) : 0x5eed0fd1ffULL);
    for (const Base& base : mutation_bases()) {
        const json dom = json::parse(base.body, nullptr, /*allow_exceptions=*/false);
        const json* parsed = dom.is_discarded() ? nullptr : &dom;
        for (std::size_t i = 0; i < mutations_per_base; ++i) {
            std::string kind;
            const std::string body = mutator.mutate(base.body, parsed, kind);
            const std::string name = base.name + ", mutation " + std::to_string(i) + ": " + kind;
            differ.compare(name, body, base.answer, 0);
            const std::size_t pick = mutator.below(4);
            if (pick < 2) {
                differ.compare(name, body, base.answer, 1 + pick);
            } else {
                differ.compare(name, body, other_answer(base.answer, pick), 0);
            }
        }
    }
    CHECK(differ.compared() >= 2 * mutations_per_base * 10);
    differ.report("mutations");
}

// Bodies written by hand where the two parsers' ways differ most: where simdjson would step
// over something nlohmann reads, where nlohmann stops early, and the answer's own shape.
TEST_CASE("mapper differential: both mappers make the same of hand-written edge cases") {
    const std::string nul(1, '\0');
    const std::string kGetFindingsBodies[] = {
        R"({"findings":[{"id":"a","detectorTags":["x":1]}]})",
        R"({"findings":[{"id":"a","vulnerability":{"referenceUrls":["u":"v"]}}]})",
        R"({"findings":["a":{"id":"b"}]})",
        R"({"findings":[{"id":"a","somethingNew":["a":1]}]})",
        R"({"findings":[{"id":"a","title":"t":"u"}]})",
        R"({"findings":[{"id":"a"}],"nextToken":"t":1})",
        R"({"findings":[{"id":"a"}]"x")",
        R"({"findings":[{"id":"a"}]}"x")",
        R"({"findings":[{"id":"a"}]} {"findings":[]})",
        R"({"findings":[{"id":"a"}]}})",
        R"({"findings":[{"id":"a"}]}])",
        R"({"findings":[{"id":"a"}])",
        R"({"findings":[{"id":"a"},{"id":"b"},{"id":"c"},{"id":"d)",
        R"({"findings":[{"id":"a"},{"id":"b"},{"id":"c"},tru)",
        R"({"findings":[{"id":"a"},{"id":"b"},{"id":"c"},01]})",
        R"({"findings":[{"id":"a"},{"id":"b"},{"id":"c"},"\x"]})",
        R"({"findings":[{"id":"a"},{"id":"b"},{"id":"c"},[}]})",
        R"({"findings":[{"id":"a"}],"findings":[{"id":"b"},{"id":"c"}],"nextToken":""})",
        R"({"findings":null,"nextToken":null})",
        R"({"findings":{},"nextToken":"t"})",
        R"({"findings":[],"nextToken":{}})",
        R"({"findings":[],"nextToken":["t"]})",
        R"({"findings":[],"nextToken":7})",
        R"({"findings":7})",
        R"({"findin\u0067s":[{"\u0069d":"a","t\u0069tle":"\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\"}]})",
        R"({"findings":[{"id":"a","i\d":"b"}]})",
        R"({"findings":[{"id":"a","":"empty key","\u0000":1}]})",
        R"({"findings":[{"id":"a\u0000b","title":"\u0000","detectorTags":["\u0000"]}]})",
        R"({"findings":[{"id":"a","createdAt":1e400}]})",
        R"({"findings":[{"id":"a","createdAt":-1e308,"updatedAt":1e-400}]})",
        R"({"findings":[{"id":"a","createdAt":253402300799.999999,"updatedAt":-62135596800}]})",
        R"({"findings":[{"id":"a","createdAt":"2025-09-16T05:20:00+14:00","updatedAt":"9999-12-31T23:59:59-01:00"}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":9223372036854775807}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":9223372036854775808}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":-9223372036854775809}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":8.5e18}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":-0.0}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":" 12"}}]})",
        R"({"findings":[{"id":"a","vulnerability":{"itemCount":"+12"}}]})",
        R"({"findings":[{"id":"a","title":1.0,"type":-0,"status":1E400}]})",
        R"({"findings":[{"id":"a","title":1.5e3,"type":123456789012345678901234567890}]})",
        R"({"findings":[{"id":"a","title":true,"type":false,"status":null}]})",
        R"({"findings":[{"id":"a","resource":{"id":"r"},"resource":null}]})",
        R"({"findings":[{"id":"a","resource":{"id":"r"},"resource":{"subResourceId":"s"}}]})",
        R"({"findings":[{"id":1},{"id":null},{},{"id":""}]})",
        R"({"findings":[null,true,1,"s",[],[[]],{}]})",
        "\xEF\xBB\xBF{\"findings\":[{\"id\":\"bom\"}]}",
        "\xEF\xBB{\"findings\":[]}",
        "\xEF\xBB\xBF\xEF\xBB\xBF{\"findings\":[]}",
        " \t\r\n{\"findings\":[]} \t\r\n",
        "{\"findings\":[]}" + nul + "anything at all \xFF",
        "{\"findings\":[" + nul + "]}",
        "{\"findings\":[{\"id\":\"a" + nul + "b\"}]}",
        "{\"findings\":[{\"id\":\"a\nb\"}]}",
        "{\"findings\":[{\"id\":\"a\x7F\"}]}",
        "{\"findings\":[{\"id\":\"a\"}]}\f",
        "{\"findings\":[{\"id\":\"\xC3\"}]}",
        "{\"findings\":[{\"id\":\"\xED\xA0\x80\",\"title\":\"\xF0\x9F\x98\x80\"}]}",
        "{\"\xFF\":1,\"findings\":[]}",
        R"([{"findings":[]}])",
        R"("findings")",
        R"(123 456)",
        R"(123x)",
        R"(nul)",
        R"(null)",
        "",
        " ",
        "{",
        "}",
        R"({"findings":[{"id":"a"},]})",
        R"({"findings":[{"id":"a"} {"id":"b"}]})",
        R"({"findings":[{"id" "a"}]})",
        R"({"findings":[{"id":"a",}]})",
        R"({"findings":[{,"id":"a"}]})",
        R"({"findings":[{"id":"a"}],})",
        R"({"findings" : [ { "id" : "a" , "title" : "t" } ] , "nextToken" : "n" })",
    };
    const std::string kListFindingsBodies[] = {
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"k":"\u0000","\u0000":["\u0000"]}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"n":[1.0,-0,1E2,1e-2,0.5,-9223372036854775808,18446744073709551615,18446744073709551616]}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"s":"\u00e9\ud83d\ude00\/\b\f\n\r\t\"\\\u001f\u007f"}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"x":1},"tags":{"y":2}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"x":1},"tags":null}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":[]}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"x":tru}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"tags":{"x":["a":1]}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"details":{"codeRepository":{"projectName":"p","providerType":7,"x":{"y":[]}},"other":{}}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"details":{"codeRepository":[],"codeRepository":{"projectName":1}}}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"details":{"codeRepository":{"projectName":"\u0000"}},"details":7}]}]})",
        R"({"findings":[{"findingArn":"a","resources":[{"details":{"codeRepository":{"projectName":"p"}}}],"resources":null}]})",
        R"({"findings":[{"findingArn":"a","epss":{"score":0.5},"epss":null,"remediation":{"recommendation":{"text":"t","Url":"u"}},"remediation":{"recommendation":7}}]})",
        R"({"findings":[{"findingArn":"a","networkReachabilityDetails":{"openPortRange":{"begin":1,"end":"2"},"networkPath":{"steps":[{"componentId":"c"},7,[]]}}}]})",
        R"({"findings":[{"findingArn":"a","inspectorScore":"8.5","epss":{"score":"1e400"}}]})",
        R"({"findings":[{"findingArn":"a","inspectorScore":1e400}]})",
    };
    const std::string kSnippetBatchBodies[] = {
        R"({"codeSnippetResults":[{"findingArn":"a","codeSnippet":[{"lineNumber":1,"content":"x"}]},{"startLine":3},{"findingArn":""}],"errors":[{"findingArn":"b"},{"errorCode":"X"}]})",
        R"({"codeSnippetResults":[{},{},{}],"errors":[1,2,3]})",
        R"({"codeSnippetResults":{},"errors":[]})",
        R"({"codeSnippetResults":[{"findingArn":"a","codeSnippet":7,"suggestedFixes":[null]}]})",
    };
    Differ differ;
    for (const std::string& body : kGetFindingsBodies) {
        for (std::size_t max_entries : {0, 1, 3}) {
            differ.compare("edge case", body, Answer::kGetFindings, max_entries);
        }
        differ.compare("edge case", body, Answer::kListFindings, 0);
    }
    for (const std::string& body : kListFindingsBodies) {
        differ.compare("edge case", body, Answer::kListFindings, 0);
        differ.compare("edge case", body, Answer::kGetFindings, 0);
    }
    for (const std::string& body : kSnippetBatchBodies) {
        for (std::size_t max_entries : {0, 1, 2}) {
            differ.compare("edge case", body, Answer::kSnippetBatch, max_entries);
        }
    }
    differ.report("edge cases");
}

// simdjson On-Demand does not check the values it steps over; the On-Demand mapper reads
// them itself, so a body broken only inside a member no table knows is refused, as before.
TEST_CASE(
    "mapper differential: a body malformed only inside an unknown member is refused by both "
    "mappers") {
    const std::string kMalformedInsideUnknown[] = {
        R"({"findings":[{"id":"a","somethingNew":[1,,2]}]})",
        R"({"findings":[{"id":"a","somethingNew":{"x" 1}}]})",
        R"({"findings":[{"id":"a","somethingNew":tru}]})",
        R"({"findings":[{"id":"a","somethingNew":[01]}]})",
        R"({"findings":[{"id":"a","somethingNew":"\q"}]})",
        R"({"findings":[{"id":"a","somethingNew":["\uDC00"]}]})",
        R"({"findings":[{"id":"a","somethingNew":[1e400]}]})",
        R"({"findings":[{"id":"a","somethingNew":{"a":[}]}]})",
        R"({"findings":[{"id":"a","title":[1,}]}]})",
        R"({"findings":[{"id":"a"},[nul]]})",
    };
    Differ differ;
    for (const std::string& body : kMalformedInsideUnknown) {
        const std::string expected =
            "MalformedResponseError: GetFindings answer is not valid JSON (" +
            std::to_string(body.size()) + " bytes)";
        CHECK(outcome_of(true, Answer::kGetFindings, body, 0).error == expected);
        differ.compare("malformed inside a skipped value", body, Answer::kGetFindings, 0);
    }
    differ.report("malformed skipped values");
}

// nlohmann has no depth limit; simdjson's parser defaults to 1024, which On-Demand does not
// enforce. The On-Demand mapper reads nesting without recursion: no limit either.
TEST_CASE("mapper differential: nesting far deeper than 1024 maps alike in both mappers") {
    constexpr std::size_t kDepth = 5000;
    const std::string deep = std::string(kDepth, '[') + std::string(kDepth, ']');
    const std::string codeguru_body =
        R"({"findings":[{"id":"a","somethingNew":)" + deep + R"(}],"nextToken":"t"})";
    const std::string inspector_body =
        R"({"findings":[{"findingArn":"a","resources":[{"details":{"x":)" + deep + "}}]}]}";

    const Outcome unknown = outcome_of(true, Answer::kGetFindings, codeguru_body, 0);
    CHECK(unknown.error.empty());
    CHECK(unknown.page.find("nextToken=1:t;") != std::string::npos);
    const Outcome kept = outcome_of(true, Answer::kListFindings, inspector_body, 0);
    CHECK(kept.error.empty());
    CHECK(kept.page.find("detailsJson=" + std::to_string(deep.size() + 6) + ":{\"x\":" + deep +
                         "};") != std::string::npos);

    Differ differ;
    differ.compare("5000 arrays deep in an unknown member", codeguru_body, Answer::kGetFindings, 0);
    differ.compare("5000 arrays deep in details", inspector_body, Answer::kListFindings, 0);
    differ.report("deep nesting");
}
