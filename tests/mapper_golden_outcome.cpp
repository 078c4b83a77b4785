#include "mapper_golden_outcome.hpp"

#include <bit>
#include <cstdio>
#include <exception>
#include <sstream>
#include <vector>

#include "sources/codeguru/finding_json.hpp"
#include "sources/inspector/finding_json.hpp"

// Outside namespace codeguru, so that each source's model can be brought in whole where it is
// dumped (`using namespace`) without its names clashing with the other source's.
namespace {

using codeguru::Timestamp;

// A canonical dump: every field of every entry, absent distinct from empty, text
// length-prefixed so that no two pages dump alike. Frozen: the golden file keeps digests of
// its output, so a change here is a change to every recorded outcome.
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

// A mapped answer: its page (`page`: the model object of `parsed`), then its warnings.
template <class Parsed, class Page>
std::string mapped(const Parsed& parsed, const Page& page) {
    Dump d;
    dump_page(d, page);
    d.texts("warnings", parsed.warnings);
    d.integer("moreWarnings", static_cast<std::int64_t>(parsed.more_warnings));
    d.integer("invalidUtf8Replaced", static_cast<std::int64_t>(parsed.invalid_utf8_replaced));
    return d.str();
}

std::string thrown(std::string_view error_class, const std::exception& e) {
    Dump d;
    d.text("error", std::string(error_class) + ": " + e.what());
    return d.str();
}

}  // namespace

namespace codeguru::test {

std::string_view answer_name(Answer answer) {
    switch (answer) {
        case Answer::kGetFindings:
            return "GetFindings";
        case Answer::kListFindings:
            return "ListFindings";
        case Answer::kBatchGetCodeSnippet:
            break;
    }
    return "BatchGetCodeSnippet";
}

std::optional<Answer> answer_named(std::string_view name) {
    for (Answer answer :
         {Answer::kGetFindings, Answer::kListFindings, Answer::kBatchGetCodeSnippet}) {
        if (answer_name(answer) == name) return answer;
    }
    return std::nullopt;
}

std::string canonical_outcome(Answer answer, json_mapping::ondemand::AnswerText body,
                              std::size_t max_entries, bool recycle) {
    try {
        switch (answer) {
            case Answer::kGetFindings: {
                auto parsed = codeguru::parse_findings_page(body, max_entries);
                std::string outcome = mapped(parsed, parsed.page);
                if (recycle) codeguru::recycle_findings(std::move(parsed.page.findings));
                return outcome;
            }
            case Answer::kListFindings: {
                auto parsed = inspector::parse_findings_page(body, max_entries);
                std::string outcome = mapped(parsed, parsed.page);
                if (recycle) inspector::recycle_findings(std::move(parsed.page.findings));
                return outcome;
            }
            case Answer::kBatchGetCodeSnippet:
                break;
        }
        const auto parsed = inspector::parse_snippet_batch(body);
        return mapped(parsed, parsed.batch);
    } catch (const OversizedPageError& e) {
        return thrown("OversizedPageError", e);
    } catch (const aws::MalformedResponseError& e) {
        return thrown("MalformedResponseError", e);
    } catch (const std::exception& e) {
        return thrown("unexpected exception", e);
    }
}

std::uint64_t fnv1a64(std::string_view text) {
    std::uint64_t hash = 0xcbf29ce484222325ULL;
    for (const char c : text) {
        hash ^= static_cast<unsigned char>(c);
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

std::string hex16(std::uint64_t value) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(value));
    return buf;
}

std::string printable(std::string_view text, std::size_t limit) {
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

}  // namespace codeguru::test
