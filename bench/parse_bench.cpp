// Page-parsing micro-benchmark (issue 14): GetFindings pages of 1000 findings (about 1.5 MB
// with every description of one length, and about 1.9 MB as the fake API serves them) and an
// Inspector ListFindings page of 100 full-text findings, each mapped many times by the
// sources' page parsers (simdjson On-Demand, sources/json_mapping/ondemand_mapper.hpp), read
// where they stand as a body from the transport is.
// Beside each, simdjson's own walk of the page that copies nothing (reference_walk()), in
// alternate batches. Prints MB/s and findings/s per page; asserts nothing.
//   codeguru-parse-bench [seconds per page, default 2]

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "aws/http_transport.hpp"
#include "finding_generator.hpp"
#include "inspector_generator.hpp"
#include "sources/codeguru/finding_json.hpp"
#include "sources/inspector/finding_json.hpp"
#include "sources/json_mapping/simdjson_ondemand.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr std::size_t kCodeGuruFindings = 1000;
constexpr std::size_t kCodeGuruPageBytes = 1'500'000;
constexpr std::size_t kInspectorFindings = 100;

// GetFindings pages of the generator's findings: as the fake API serves them (descriptions
// whole, one in twenty of several KB: about 1.9 MB for 1000), and with every description
// evened out to one length, paragraph breaks and all, that makes the page kCodeGuruPageBytes.
std::string codeguru_page(bool even) {
    std::vector<json> findings =
        codeguru::test::generate_findings("bench-scan", kCodeGuruFindings, 14);
    if (even) {
        std::vector<std::string> texts;
        for (json& f : findings) {
            texts.push_back(f.value("description", std::string("Untrusted data reaches a sink.")));
            f["description"] = "";
        }
        const std::size_t bare = json{{"findings", findings}}.dump().size();
        const std::size_t length =
            bare < kCodeGuruPageBytes ? (kCodeGuruPageBytes - bare) / kCodeGuruFindings : 1;
        for (std::size_t i = 0; i < findings.size(); ++i) {
            std::string text = texts[i];
            while (text.size() < length) text += "\n\n" + texts[i];
            findings[i]["description"] = text.substr(0, length);
        }
    }
    return json{{"findings", findings}, {"nextToken", "bench-token"}}.dump();
}

std::string inspector_page() {
    codeguru::test::InspectorGenerateOptions options;
    options.seed = 14;
    options.count = kInspectorFindings;
    options.full_text = true;
    return json{{"findings", codeguru::test::generate_inspector_findings(options)},
                {"nextToken", "bench-token"}}
        .dump();
}

// simdjson On-Demand's own walk of a page, the reference the mapper is measured beside:
// every object's keys and every array's elements visited, every value's token read and every
// string stepped over, nothing checked further, copied or converted. The mapper does all of
// this and then its own work, so its rate as a share of this one says how much the mapper
// adds, whatever the machine's other tenants take from both.
std::size_t walk_value(simdjson::ondemand::value value);

std::size_t walk_object(simdjson::ondemand::object object) {
    std::size_t touched = 0;
    for (auto field : object) {
        touched += static_cast<unsigned char>(field.key().raw()[0]);
        touched += walk_value(field.value());
    }
    return touched;
}

std::size_t walk_value(simdjson::ondemand::value value) {
    const std::string_view token = value.raw_json_token();
    std::size_t touched = token.size();
    if (token.front() == '{') {
        touched += walk_object(value.get_object().value());
    } else if (token.front() == '[') {
        for (auto element : value.get_array().value()) touched += walk_value(element.value());
    } else if (token.front() == '"') {
        touched += value.get_raw_json_string().value().raw()[0] != 0;
    }
    return touched;
}

// Walks `body` (with the room after it that simdjson reads) as walk_value() does; throws on
// what simdjson refuses. Returns what it touched, so that nothing is optimized away.
std::size_t reference_walk(const std::string& body) {
    thread_local simdjson::ondemand::parser parser;
    simdjson::ondemand::document document =
        parser.iterate(simdjson::padded_string_view(body.data(), body.size(), body.capacity()))
            .value();
    return walk_object(document.get_object().value());
}

struct Rate {
    std::size_t runs = 0;
    double seconds = 0;
    double fastest = 1e9;  // of a batch

    void add(int batch, double batch_seconds) {
        runs += static_cast<std::size_t>(batch);
        seconds += batch_seconds;
        fastest = std::min(fastest, batch_seconds);
    }
};

// For `seconds` in all: maps `body` over and over in batches of ten, each page's findings
// given back for reuse (`recycle`) before the next as in the sync, and walks it by
// reference_walk() in a batch of ten after each batch of the mapper's (so that both meet the
// same machine); prints each one's rate over all runs and that of its fastest batch (the
// machine may be shared: the fastest batch is the one least disturbed).
template <class Parse, class Recycle>
void measure(const char* page_name, const std::string& body, double seconds, Parse parse,
             Recycle recycle) {
    constexpr int kBatch = 10;
    const auto mapped_once = [&] {
        auto parsed = parse(body);
        const std::size_t findings = parsed.page.findings.size();
        recycle(std::move(parsed.page.findings));
        return findings;
    };
    const std::size_t per_page = mapped_once();  // warm: buffers, caches
    std::size_t touched = reference_walk(body);
    Rate mapper;
    Rate reference;
    std::size_t mapped = 0;
    const auto stop = Clock::now() + std::chrono::duration<double>(seconds);
    for (auto now = Clock::now(); now < stop;) {
        const auto mapper_start = now;
        for (int i = 0; i < kBatch; ++i) mapped += mapped_once();
        const auto reference_start = Clock::now();
        for (int i = 0; i < kBatch; ++i) touched += reference_walk(body);
        now = Clock::now();
        mapper.add(kBatch, std::chrono::duration<double>(reference_start - mapper_start).count());
        reference.add(kBatch, std::chrono::duration<double>(now - reference_start).count());
    }
    const double megabytes = static_cast<double>(body.size()) / 1e6;
    const auto per_second = [](const Rate& rate) {
        return static_cast<double>(rate.runs) / rate.seconds;
    };
    std::printf(
        "%-38s %6.0f MB/s %9.0f findings/s | best %6.0f MB/s %9.0f findings/s "
        "%.3f ms/page (%zu runs%s)\n",
        page_name, megabytes * per_second(mapper),
        static_cast<double>(per_page) * per_second(mapper), megabytes * kBatch / mapper.fastest,
        static_cast<double>(per_page) * kBatch / mapper.fastest, 1e3 * mapper.fastest / kBatch,
        mapper.runs, mapped == per_page * mapper.runs ? "" : ", pages differ");
    std::printf(
        "  simdjson's own walk, nothing copied   %6.0f MB/s | best %6.0f MB/s; "
        "the mapper at %.0f%% of it (%zu runs, %zu touched)\n",
        megabytes * per_second(reference), megabytes * kBatch / reference.fastest,
        100 * per_second(mapper) / per_second(reference), reference.runs, touched);
}

}  // namespace

int main(int argc, char** argv) {
    constexpr const char* kUsage =
        "usage: codeguru-parse-bench [seconds per page, default 2]\n";
    double seconds = 2.0;
    if (argc > 2) {
        std::fputs(kUsage, stderr);
        return 2;
    }
    if (argc == 2) {
        const std::string_view arg = argv[1];
        if (arg == "-h" || arg == "--help") {
            std::fputs(kUsage, stdout);
            return 0;
        }
        // A typo must not become a zero-second run that prints NaN.
        char* end = nullptr;
        seconds = std::strtod(argv[1], &end);
        if (end == argv[1] || *end != '\0' || !(seconds > 0) || seconds > 3600) {
            std::fprintf(stderr,
                         "codeguru-parse-bench: seconds must be a number above 0 and at most 3600, "
                         "not '%s'\n%s",
                         argv[1], kUsage);
            return 2;
        }
    }

    // Each page with the room after it that the transport leaves after a body
    // (aws::kBodyReadAhead), so that it is parsed where it stands, as in the daemon.
    const auto as_received = [](std::string page) {
        page.reserve(page.size() + codeguru::aws::kBodyReadAhead);
        return page;
    };
    const std::string getfindings = as_received(codeguru_page(true));
    const std::string served = as_received(codeguru_page(false));
    const std::string listfindings = as_received(inspector_page());
    char name[96];

    for (const std::string* page : {&getfindings, &served}) {
        std::snprintf(name, sizeof name, "GetFindings, %zu findings, %.2f MB", kCodeGuruFindings,
                      static_cast<double>(page->size()) / 1e6);
        measure(
            name, *page, seconds,
            [](const std::string& body) {
                return codeguru::parse_findings_page(body, kCodeGuruFindings);
            },
            [](auto&& findings) { codeguru::recycle_findings(std::move(findings)); });
    }

    std::snprintf(name, sizeof name, "ListFindings, %zu findings, %.2f MB", kInspectorFindings,
                  static_cast<double>(listfindings.size()) / 1e6);
    measure(
        name, listfindings, seconds,
        [](const std::string& body) {
            return codeguru::inspector::parse_findings_page(body, kInspectorFindings);
        },
        [](auto&& findings) { codeguru::inspector::recycle_findings(std::move(findings)); });
    return 0;
}
