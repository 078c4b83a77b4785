#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "finding_generator.hpp"

using codeguru::test::epoch_seconds_json;
using codeguru::test::evolve_findings;
using codeguru::test::EvolveOptions;
using codeguru::test::generate_findings;
using nlohmann::json;

namespace {

double seconds_of(const json& finding, const char* key) {
    return finding.at(key).get<double>();
}

std::map<std::string, json> by_id(const std::vector<json>& findings) {
    std::map<std::string, json> out;
    for (const auto& f : findings) out[f.at("id").get<std::string>()] = f;
    return out;
}

}  // namespace

TEST_CASE("epoch seconds print as integers or with their millisecond part", "[generator]") {
    CHECK(epoch_seconds_json(1758000000000).dump() == "1758000000");
    CHECK(epoch_seconds_json(1758000000872).dump() == "1758000000.872");
    CHECK(epoch_seconds_json(1758000000050).dump() == "1758000000.05");
    CHECK(epoch_seconds_json(1758000000000).is_number_integer());
}

TEST_CASE("the same scan, count and seed generate identical findings", "[generator]") {
    const auto a = generate_findings("scan-a", 200, 7);
    CHECK(a == generate_findings("scan-a", 200, 7));
    CHECK(a != generate_findings("scan-a", 200, 8));
    CHECK(a != generate_findings("scan-b", 200, 7));
    CHECK(a.size() == 200);
}

TEST_CASE("generated findings have the wire shape with unique ids and valid enums", "[generator]") {
    const auto findings = generate_findings("shape", 1000, 1);
    const std::set<std::string> severities = {"Critical", "High", "Medium", "Low", "Info"};
    std::set<std::string> ids;
    std::size_t integer_times = 0, fractional_times = 0, closed = 0;
    for (const auto& f : findings) {
        INFO(f.dump());
        REQUIRE(f.at("id").is_string());
        ids.insert(f["id"].get<std::string>());
        CHECK(severities.count(f.at("severity").get<std::string>()) == 1);
        const std::string status = f.at("status");
        CHECK((status == "Open" || status == "Closed"));
        closed += status == "Closed";
        CHECK(f.at("title").is_string());
        CHECK(f.at("detectorName").is_string());
        for (const char* key : {"createdAt", "updatedAt"}) {
            if (!f.contains(key)) continue;
            REQUIRE(f[key].is_number());
            if (f[key].is_number_integer()) {
                ++integer_times;
            } else {
                ++fractional_times;
                const std::string text = f[key].dump();
                const auto dot = text.find('.');
                CHECK(dot == 10);
                CHECK(text.size() - dot - 1 <= 3);
            }
        }
        if (f.contains("updatedAt"))
            CHECK(seconds_of(f, "updatedAt") >= seconds_of(f, "createdAt"));
        if (f.contains("vulnerability") && f["vulnerability"].contains("filePath")) {
            const json& path = f["vulnerability"]["filePath"];
            CHECK(path.at("startLine").get<int>() <= path.at("endLine").get<int>());
            for (const auto& line : path.at("codeSnippet")) {
                CHECK(line.at("number").is_number_integer());
                CHECK(line.at("content").is_string());
            }
        }
    }
    CHECK(ids.size() == findings.size());
    CHECK(integer_times > 100);
    CHECK(fractional_times > 100);
    CHECK(closed > 50);
    CHECK(closed < 300);
}

TEST_CASE("generated findings include missing members, unicode and long descriptions",
          "[generator]") {
    const auto findings = generate_findings("variety", 1000, 3);
    std::size_t without_remediation = 0, without_vulnerability = 0, without_updated = 0,
                empty_tags = 0, unicode = 0, long_descriptions = 0;
    std::set<std::string> extensions;
    for (const auto& f : findings) {
        without_remediation += !f.contains("remediation");
        without_vulnerability += !f.contains("vulnerability");
        without_updated += !f.contains("updatedAt");
        empty_tags += !f.contains("detectorTags") || f["detectorTags"].empty();
        unicode += f.dump().find("日本語") != std::string::npos;
        long_descriptions +=
            f.contains("description") && f["description"].get<std::string>().size() > 2048;
        if (f.contains("vulnerability") && f["vulnerability"].contains("filePath")) {
            const std::string name = f["vulnerability"]["filePath"]["name"];
            extensions.insert(name.substr(name.rfind('.')));
        }
    }
    CHECK(without_remediation > 0);
    CHECK(without_vulnerability > 0);
    CHECK(without_updated > 0);
    CHECK(empty_tags > 0);
    CHECK(unicode > 0);
    CHECK(long_descriptions > 0);
    CHECK(extensions.count(".py") == 1);
    CHECK(extensions.count(".java") == 1);
    CHECK(extensions.count(".js") == 1);
}

TEST_CASE("evolve adds, updates, closes and removes what its summary says", "[generator]") {
    auto findings = generate_findings("evolving", 400, 11);
    const auto before = by_id(findings);
    EvolveOptions options;
    options.new_fraction = 0.05;
    options.updated_fraction = 0.1;
    options.closed_fraction = 0.05;
    options.removed_fraction = 0.02;
    const auto summary = evolve_findings(findings, 99, options);
    CHECK(summary.added() == 20);
    CHECK(summary.updated() == 40);
    CHECK(summary.closed() == 20);
    CHECK(summary.removed() == 8);
    CHECK(findings.size() == 400 + 20 - 8);

    const auto after = by_id(findings);
    CHECK(after.size() == findings.size());
    for (const auto& id : summary.added_ids) {
        REQUIRE(after.count(id) == 1);
        CHECK(before.count(id) == 0);
        CHECK(after.at(id)["status"] == "Open");
    }
    for (const auto& id : summary.updated_ids) {
        const json& old = before.at(id);
        const json& now = after.at(id);
        CHECK(now["severity"] != old["severity"]);
        const double old_time =
            old.contains("updatedAt") ? seconds_of(old, "updatedAt") : seconds_of(old, "createdAt");
        CHECK(seconds_of(now, "updatedAt") > old_time);
    }
    for (const auto& id : summary.closed_ids) {
        CHECK(before.at(id)["status"] == "Open");
        CHECK(after.at(id)["status"] == "Closed");
        CHECK(after.at(id).contains("updatedAt"));
    }
    for (const auto& id : summary.removed_ids) CHECK(after.count(id) == 0);

    std::size_t unchanged = 0;
    for (const auto& [id, f] : after) unchanged += before.count(id) && before.at(id) == f;
    CHECK(unchanged == 400 - 40 - 20 - 8);
}

TEST_CASE("evolve is deterministic in its seed", "[generator]") {
    auto a = generate_findings("det", 100, 5);
    auto b = a;
    auto c = a;
    evolve_findings(a, 1);
    evolve_findings(b, 1);
    evolve_findings(c, 2);
    CHECK(a == b);
    CHECK(a != c);
}
