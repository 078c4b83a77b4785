// The daemon binary with both sources: CodeGuru scans and Inspector streams in one cycle,
// each stream signed for its own region (the fake selects a request's findings by the region
// of its SigV4 credential scope).
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <vector>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"
#include "inspector_generator.hpp"

using namespace codeguru::test;

namespace {

// The ARNs of the generated findings of `type` in `region`, computed from the generator's
// output: what one stream with that finding type must store.
std::set<std::string> arns_of(const std::vector<nlohmann::json>& findings,
                              const std::string& region, const std::string& type) {
    std::set<std::string> arns;
    for (const auto& f : findings) {
        const std::string arn = f.at("findingArn");
        if (f.at("type") == type && arn_region(arn) == region) arns.insert(arn);
    }
    return arns;
}

std::set<std::string> stored_arns(SchemaInspector& db, const std::string& region) {
    std::set<std::string> arns;
    for (const auto& row :
         db.query("SELECT finding_arn FROM inspector_findings WHERE region = $1", region)) {
        arns.insert(row[0].as<std::string>());
    }
    return arns;
}

}  // namespace

TEST_CASE("codeguru-syncd --once syncs CodeGuru scans and an Inspector stream per region") {
    E2eSetup setup;
    setup.api.set_scan("us-east-1", generate_findings("us-east-1", 25, 3));  // a scan, not a region
    InspectorGenerateOptions generate;
    generate.seed = 5;
    generate.count = 120;
    generate.regions = {"us-east-1", "eu-west-1", "ap-south-1"};
    generate.accounts = {"111122223333", "444455556666"};
    const auto findings = generate_inspector_findings(generate);
    setup.api.set_inspector_findings(findings);

    auto config = setup.config({"us-east-1"});
    config.extra =
        "[inspector]\nregion = us-east-1\nregion = eu-west-1\nendpoint = " + setup.api.endpoint() +
        "\npage_size = 7\n";
    const auto run = run_daemon(setup.dir, {setup.write_config(config), "--once"});
    INFO(run.out << run.err);
    REQUIRE(run.status.exited_with(0));

    auto db = setup.inspector();
    // Each configured region holds exactly its code findings; ap-south-1 is not configured.
    for (const std::string region : {"us-east-1", "eu-west-1"}) {
        CAPTURE(region);
        const auto expected = arns_of(findings, region, "CODE_VULNERABILITY");
        REQUIRE_FALSE(expected.empty());
        CHECK(stored_arns(db, region) == expected);
    }
    CHECK(db.count("inspector_findings WHERE region = 'ap-south-1'") == 0);
    // The CodeGuru scan named like a region is a scan of its own.
    CHECK(db.count("findings WHERE scan_name = 'us-east-1'") == 25);
    CHECK(db.count("sync_runs WHERE source = 'codeguru' AND outcome = 'succeeded'") == 1);
    CHECK(db.count("sync_runs WHERE source = 'inspector' AND outcome = 'succeeded'") == 2);
    CHECK(db.count("sync_checkpoints WHERE scan_name = 'us-east-1'") == 2);
    // A first pass is full and leaves a watermark behind.
    CHECK(db.count("sync_checkpoints WHERE source = 'inspector' AND watermark IS NOT NULL"
                   " AND last_full_at = watermark") == 2);
    // Every ListFindings request was signed for the region whose findings it got.
    std::set<std::string> regions;
    for (const auto& request : setup.api.requests()) {
        if (request.operation == "ListFindings") regions.insert(request.region);
    }
    CHECK(regions == std::set<std::string>{"us-east-1", "eu-west-1"});
}
