// Page-parsing micro-benchmark (issue 14): GetFindings pages of 1000 findings (about 1.5 MB
// with every description of one length, and about 1.9 MB as the fake API serves them) and an
// Inspector ListFindings page of 100 full-text findings, each mapped many times by the
// sources' page parsers (simdjson On-Demand, sources/json_mapping/ondemand_mapper.hpp), read
// where they stand as a body from the transport is.
// Prints MB/s and findings/s per page; asserts nothing.
//   codeguru-parse-bench [seconds per measurement, default 2]

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

// Maps `body` over and over for `seconds`, in batches of ten, each page's findings given
// back for reuse (`recycle`) before the next as in the sync; prints the rate over all runs
// and that of the fastest batch (the machine may be shared: the fastest batch is the one
// least disturbed).
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
    std::size_t runs = 0;
    std::size_t mapped = 0;
    double fastest = 1e9;
    const auto start = Clock::now();
    const auto stop = start + std::chrono::duration<double>(seconds);
    auto now = start;
    while (now < stop) {
        const auto batch_start = now;
        for (int i = 0; i < kBatch; ++i) mapped += mapped_once();
        runs += kBatch;
        now = Clock::now();
        fastest = std::min(fastest, std::chrono::duration<double>(now - batch_start).count());
    }
    const double elapsed = std::chrono::duration<double>(now - start).count();
    const double mean_per_s = static_cast<double>(runs) / elapsed;
    const double best_per_s = kBatch / fastest;
    const double megabytes = static_cast<double>(body.size()) / 1e6;
    std::printf(
        "%-38s %6.0f MB/s %9.0f findings/s | best %6.0f MB/s %9.0f findings/s "
        "%.3f ms/page (%zu runs%s)\n",
        page_name, megabytes * mean_per_s, static_cast<double>(per_page) * mean_per_s,
        megabytes * best_per_s, static_cast<double>(per_page) * best_per_s, 1e3 / best_per_s, runs,
        mapped == per_page * runs ? "" : ", pages differ");
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;

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
