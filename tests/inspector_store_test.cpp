#include <catch2/catch.hpp>
#include <chrono>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "sources/inspector/page_writer.hpp"
#include "sources/inspector/snippet_writer.hpp"
#include "store/store_error.hpp"
#include "store_test_database.hpp"

using codeguru::Timestamp;
using codeguru::inspector::CodeRepository;
using codeguru::inspector::CodeVulnerabilityDetails;
using codeguru::inspector::Cvss;
using codeguru::inspector::Finding;
using codeguru::inspector::InspectorPageResult;
using codeguru::inspector::InspectorPageWriter;
using codeguru::inspector::InspectorScope;
using codeguru::inspector::InspectorSnippetWriter;
using codeguru::inspector::NetworkPathStep;
using codeguru::inspector::NetworkReachabilityDetails;
using codeguru::inspector::PackageVulnerabilityDetails;
using codeguru::inspector::Resource;
using codeguru::inspector::SnippetOutcome;
using codeguru::inspector::SnippetRequest;
using codeguru::inspector::VulnerablePackage;
using codeguru::store::StalePageError;
using codeguru::test::at_s;
using codeguru::test::at_us;
using codeguru::test::StoreDatabase;

namespace {

const std::string kRegion = "us-east-1";
const std::string kAccount = "111111111111";
constexpr char kCode[] = "CODE_VULNERABILITY";
constexpr char kPackage[] = "PACKAGE_VULNERABILITY";

std::string arn_of(const std::string& id, const std::string& region = kRegion,
                   const std::string& account = kAccount) {
    return "arn:aws:inspector2:" + region + ":" + account + ":finding/" + id;
}

Finding finding_at(const std::string& id, Timestamp updated_at, const char* type = kCode,
                   const std::string& region = kRegion) {
    Finding finding;
    finding.finding_arn = arn_of(id, region);
    finding.updated_at = updated_at;
    finding.type = type;
    finding.status = "ACTIVE";
    return finding;
}

// A migrated schema with Inspector stream kRegion: a running run that owns its checkpoint,
// set up as the daemon's SyncStateStore leaves them before a pass's first page.
struct InspectorDatabase : StoreDatabase {
    InspectorPageWriter writer{connection, schema.name()};
    InspectorSnippetWriter snippets{connection, schema.name()};
    std::int64_t run_id = start_stream(kRegion);
    InspectorScope scope{{kCode}, {}, "All"};

    template <typename... Args>
    pqxx::result exec(const std::string& sql, Args&&... args) {
        pqxx::nontransaction tx(inspector);
        return tx.exec_params(sql, std::forward<Args>(args)...);
    }

    std::int64_t start_stream(const std::string& region) {
        const auto run = exec(
                             "INSERT INTO sync_runs (source, scan_name, started_at)"
                             " VALUES ('inspector', $1, now()) RETURNING run_id",
                             region)[0][0]
                             .as<std::int64_t>();
        exec(
            "INSERT INTO sync_checkpoints (source, scan_name, status_filter, run_id)"
            " VALUES ('inspector', $1, 'All', $2)",
            region, run);
        return run;
    }

    void begin_pass(const char* kind, Timestamp started_at, const std::string& region = kRegion) {
        exec(
            "UPDATE sync_checkpoints SET pass_kind = $2, pass_filter = '{}',"
            " pass_started_at = $3::timestamptz WHERE source = 'inspector' AND scan_name = $1",
            region, std::string(kind), codeguru::format_timestamp(started_at));
    }

    InspectorPageResult page(const std::optional<std::string>& expected,
                             const std::vector<Finding>& findings,
                             const std::optional<std::string>& next, Timestamp sync_time,
                             bool want_snippets = true) {
        return writer.apply(kRegion, run_id, expected, findings, next, sync_time, scope,
                            want_snippets);
    }

    // A full pass of one page, started at sync_time.
    InspectorPageResult pass(const std::vector<Finding>& findings, Timestamp sync_time,
                             bool want_snippets = true) {
        begin_pass("full", sync_time);
        return page(std::nullopt, findings, std::nullopt, sync_time, want_snippets);
    }

    std::string text(const std::string& sql) { return scalar<std::string>(sql); }
    long count(const std::string& sql) { return scalar<long>(sql); }
};

// Inserted, updated and deleted tuples of the Inspector tables, as the statistics see them.
struct TupleCounts {
    long inserted, updated, deleted;
    bool operator==(const TupleCounts&) const = default;
};

TupleCounts inspector_tuple_counts(InspectorDatabase& db) {
    {
        // Statistics are flushed when a backend goes idle; this makes the next idle flush them.
        pqxx::nontransaction tx(db.connection);
        tx.exec("SELECT pg_stat_force_next_flush()");
    }
    const auto row = db.query(
        "SELECT coalesce(sum(n_tup_ins), 0)::bigint, coalesce(sum(n_tup_upd), 0)::bigint,"
        " coalesce(sum(n_tup_del), 0)::bigint FROM pg_stat_user_tables"
        " WHERE schemaname = current_schema() AND relname LIKE 'inspector%'")[0];
    return {row[0].as<long>(), row[1].as<long>(), row[2].as<long>()};
}

Finding full_code_finding() {
    Finding f = finding_at("code-1", at_us(1'758'000'100'000'001));
    f.aws_account_id = "123456789012";
    f.title = "SQL injection — 検出 🔒";
    f.description = R"(built from "user" input \ {a,b})";
    f.severity = "HIGH";
    f.inspector_score = 7.5;
    f.epss_score = 0.00043;
    f.fix_available = "YES";
    f.exploit_available = "NO";
    f.last_known_exploit_at = at_us(1'700'000'000'000'001);
    f.first_observed_at = at_us(1'758'000'000'872'000);
    f.last_observed_at = at_s(1'758'000'500);
    f.recommendation_text = "Use bound parameters";
    f.recommendation_url = "https://example.com/rec";
    Resource repo;
    repo.type = "CODE_REPOSITORY";
    repo.id = "repo-1";
    repo.partition = "aws";
    repo.region = "us-east-1";
    repo.tags_json = R"({"team":"sec"})";
    repo.details_json = R"({"codeRepository":{"projectName":"shop","providerType":"GITHUB"}})";
    repo.code_repository = CodeRepository{"shop", "arn:integration", "GITHUB"};
    Resource function;
    function.type = "AWS_LAMBDA_FUNCTION";
    function.id = "fn-1";
    f.resources = std::vector<Resource>{repo, function};
    CodeVulnerabilityDetails code;
    code.file_name = "app.py";
    code.file_path = "src/app.py";
    code.start_line = 41;
    code.end_line = 43;
    code.detector_id = "python/sql-injection@v1.0";
    code.detector_name = "SQL injection";
    code.detector_tags = std::vector<std::string>{"injection", "sql", "injection", "cwe-89"};
    code.rule_id = "python-sqli";
    code.cwes = std::vector<std::string>{"CWE-89", "CWE-564"};
    code.reference_urls = std::vector<std::string>{"https://cwe.mitre.org/89", "https://owasp.org"};
    code.source_lambda_layer_arn = "arn:layer:1";
    f.code = code;
    return f;
}

Finding full_package_finding() {
    Finding f = finding_at("pkg-1", at_s(1'758'000'200), kPackage);
    f.aws_account_id = kAccount;
    f.severity = "CRITICAL";
    PackageVulnerabilityDetails package;
    package.vulnerability_id = "CVE-2024-1234";
    package.source = "NVD";
    package.source_url = "https://nvd.example/CVE-2024-1234";
    package.vendor_severity = "HIGH";
    package.vendor_created_at = at_s(1'700'000'000);
    package.vendor_updated_at = at_s(1'700'000'100);
    package.reference_urls = std::vector<std::string>{"https://r1", "https://r2"};
    package.related_vulnerabilities = std::vector<std::string>{"CVE-a", "CVE-b"};
    package.cvss = std::vector<Cvss>{{9.8, "CVSS:3.1/AV:N", "3.1", "NVD"},
                                     {7.5, "AV:N/AC:L", "2.0", std::nullopt}};
    VulnerablePackage openssl{"openssl",    "3.0.1",    0,       "1.el9",      "x86_64",
                              "OS",         "/usr/lib", "3.0.2", "yum update", "sha256:ab",
                              "arn:layer:2"};
    package.vulnerable_packages = std::vector<VulnerablePackage>{openssl};
    f.package = package;
    return f;
}

Finding full_network_finding() {
    Finding f = finding_at("net-1", at_s(1'758'000'300), "NETWORK_REACHABILITY");
    f.finding_arn = arn_of("net-1", kRegion, "222222222222");  // no awsAccountId: the ARN's
    NetworkReachabilityDetails network;
    network.protocol = "TCP";
    network.open_port_begin = 22;
    network.open_port_end = 23;
    network.steps = std::vector<NetworkPathStep>{{"igw-1", "INTERNET_GATEWAY", "arn:igw"},
                                                 {"sg-1", "SECURITY_GROUP", std::nullopt}};
    f.network = network;
    return f;
}

std::string utc(const std::string& column) {
    return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')";
}

}  // namespace

TEST_CASE("every member of an Inspector finding lands in its column and child table",
          "[inspector_store]") {
    InspectorDatabase db;

    const auto result = db.pass(
        {full_code_finding(), full_package_finding(), full_network_finding()}, at_s(1'760'000'000));

    CHECK(result.counts.inserted == 3);
    const auto row = db.query("SELECT *, " + utc("first_observed_at") + " AS first_observed, " +
                              utc("updated_at") + " AS updated, " + utc("last_known_exploit_at") +
                              " AS exploit, " + utc("last_observed_at") +
                              " AS last_observed, inspector_score::text AS score,"
                              " epss_score::text AS epss,"
                              " extract(epoch FROM first_seen_at)::bigint AS first_seen"
                              " FROM inspector_findings WHERE finding_arn = '" +
                              arn_of("code-1") + "'")[0];
    CHECK(row["aws_account_id"].as<std::string>() == "123456789012");
    CHECK(row["region"].as<std::string>() == "us-east-1");
    CHECK(row["type"].as<std::string>() == "CODE_VULNERABILITY");
    CHECK(row["title"].as<std::string>() == "SQL injection — 検出 🔒");
    CHECK(row["description"].as<std::string>() == R"(built from "user" input \ {a,b})");
    CHECK(row["severity"].as<std::string>() == "HIGH");
    CHECK(row["status"].as<std::string>() == "ACTIVE");
    CHECK(row["score"].as<std::string>() == "7.5");
    CHECK(row["epss"].as<std::string>() == "0.00043");
    CHECK(row["fix_available"].as<std::string>() == "YES");
    CHECK(row["exploit_available"].as<std::string>() == "NO");
    CHECK(row["exploit"].as<std::string>() == "2023-11-14 22:13:20.000001");
    CHECK(row["first_observed"].as<std::string>() == "2025-09-16 05:20:00.872000");
    CHECK(row["last_observed"].as<std::string>() == "2025-09-16 05:28:20.000000");
    CHECK(row["updated"].as<std::string>() == "2025-09-16 05:21:40.000001");
    CHECK(row["recommendation_text"].as<std::string>() == "Use bound parameters");
    CHECK(row["recommendation_url"].as<std::string>() == "https://example.com/rec");
    CHECK(row["detector_id"].as<std::string>() == "python/sql-injection@v1.0");
    CHECK(row["detector_name"].as<std::string>() == "SQL injection");
    CHECK(row["rule_id"].as<std::string>() == "python-sqli");
    CHECK(row["file_name"].as<std::string>() == "app.py");
    CHECK(row["file_path"].as<std::string>() == "src/app.py");
    CHECK(row["start_line"].as<long>() == 41);
    CHECK(row["end_line"].as<long>() == 43);
    CHECK(row["source_lambda_layer_arn"].as<std::string>() == "arn:layer:1");
    CHECK(row["first_seen"].as<long>() == 1'760'000'000);
    CHECK(row["missing_since"].is_null());
    CHECK(row["snippet_status"].as<std::string>() == "pending");
    CHECK(row["snippet_error"].is_null());
    CHECK(db.count("SELECT count(*) FROM inspector_findings WHERE finding_arn = '" +
                   arn_of("code-1") +
                   "' AND num_nulls(vulnerability_id, vulnerability_source, vendor_severity,"
                   " source_url, vendor_created_at, vendor_updated_at, network_protocol,"
                   " open_port_begin, open_port_end) = 9") == 1);

    CHECK(db.text("SELECT string_agg(concat_ws('|', ordinal, type, resource_id, partition, region,"
                  " project_name, provider_type, integration_arn, details->'codeRepository'->>"
                  "'projectName', tags->>'team'), ' / ' ORDER BY ordinal)"
                  " FROM inspector_finding_resources") ==
          "1|CODE_REPOSITORY|repo-1|aws|us-east-1|shop|GITHUB|arn:integration|shop|sec"
          " / 2|AWS_LAMBDA_FUNCTION|fn-1");
    CHECK(db.count("SELECT count(*) FROM inspector_finding_resources WHERE ordinal = 2"
                   " AND details IS NULL AND tags IS NULL") == 1);
    CHECK(db.text("SELECT string_agg(ordinal || ':' || cwe, ' ' ORDER BY ordinal)"
                  " FROM inspector_finding_cwes") == "1:CWE-89 2:CWE-564");
    CHECK(db.text("SELECT string_agg(ordinal || ':' || tag, ' ' ORDER BY ordinal)"
                  " FROM inspector_finding_detector_tags") == "1:injection 2:sql 4:cwe-89");

    const std::string pkg = "'" + arn_of("pkg-1") + "'";
    CHECK(db.text("SELECT concat_ws('|', aws_account_id, type, severity, vulnerability_id,"
                  " vulnerability_source, vendor_severity, source_url, " +
                  utc("vendor_created_at") + ", " + utc("vendor_updated_at") +
                  ") FROM inspector_findings WHERE finding_arn = " + pkg) ==
          "111111111111|PACKAGE_VULNERABILITY|CRITICAL|CVE-2024-1234|NVD|HIGH|"
          "https://nvd.example/CVE-2024-1234|2023-11-14 22:13:20.000000|"
          "2023-11-14 22:15:00.000000");
    CHECK(db.is_null("SELECT snippet_status FROM inspector_findings WHERE finding_arn = " + pkg));
    CHECK(
        db.text("SELECT string_agg(split_part(finding_arn, '/', 2) || ':' || ordinal || ':' ||"
                " url, ' ' ORDER BY finding_arn, ordinal) FROM inspector_finding_reference_urls") ==
        "code-1:1:https://cwe.mitre.org/89 code-1:2:https://owasp.org pkg-1:1:https://r1"
        " pkg-1:2:https://r2");
    CHECK(db.text("SELECT string_agg(ordinal || ':' || related_id, ' ' ORDER BY ordinal)"
                  " FROM inspector_finding_related_vulnerabilities") == "1:CVE-a 2:CVE-b");
    CHECK(db.text("SELECT string_agg(concat_ws('|', ordinal, base_score, scoring_vector, version,"
                  " source), ' / ' ORDER BY ordinal) FROM inspector_finding_cvss") ==
          "1|9.8|CVSS:3.1/AV:N|3.1|NVD / 2|7.5|AV:N/AC:L|2.0");
    CHECK(db.text("SELECT concat_ws('|', ordinal, name, version, epoch, release, arch,"
                  " package_manager, file_path, fixed_in_version, remediation, source_layer_hash,"
                  " source_lambda_layer_arn) FROM inspector_finding_packages") ==
          "1|openssl|3.0.1|0|1.el9|x86_64|OS|/usr/lib|3.0.2|yum update|sha256:ab|arn:layer:2");

    const std::string net = "'" + arn_of("net-1", kRegion, "222222222222") + "'";
    CHECK(db.text("SELECT concat_ws('|', aws_account_id, network_protocol, open_port_begin,"
                  " open_port_end) FROM inspector_findings WHERE finding_arn = " +
                  net) == "222222222222|TCP|22|23");
    CHECK(db.text("SELECT string_agg(concat_ws('|', ordinal, component_id, component_type,"
                  " component_arn), ' / ' ORDER BY ordinal) FROM inspector_finding_network_path"
                  " WHERE finding_arn = " +
                  net) == "1|igw-1|INTERNET_GATEWAY|arn:igw / 2|sg-1|SECURITY_GROUP");

    CHECK(db.text("SELECT string_agg(split_part(finding_arn, '/', 2) || ':' || status || ':' ||"
                  " coalesce(severity, '-') || ':' || extract(epoch FROM observed_at)::bigint, ' '"
                  " ORDER BY split_part(finding_arn, '/', 2)) FROM inspector_finding_versions") ==
          "code-1:ACTIVE:HIGH:1760000000 net-1:ACTIVE:-:1760000000"
          " pkg-1:ACTIVE:CRITICAL:1760000000");
    CHECK(db.text("SELECT pages || '/' || findings_seen || '/' || findings_inserted"
                  " FROM sync_runs") == "1/3/3");
}

TEST_CASE(
    "an equal or older Inspector version changes nothing: no tuple written, locked or deleted",
    "[inspector_store]") {
    InspectorDatabase db;
    const Finding v1 = full_code_finding();
    db.pass({v1, full_package_finding()}, at_s(1'760'000'000));
    const std::string rows_sql =
        "SELECT string_agg(xmin::text || '/' || xmax::text, ' ' ORDER BY finding_arn)"
        " FROM inspector_findings";
    const std::string rows_before = db.text(rows_sql);
    const TupleCounts before = inspector_tuple_counts(db);

    Finding equal = full_code_finding();
    equal.title = "same updatedAt, other title";
    equal.code->detector_tags = std::vector<std::string>{"other"};
    Finding older = full_code_finding();
    older.updated_at = *v1.updated_at - std::chrono::microseconds(1);
    older.status = "CLOSED";
    const auto equal_result = db.pass({equal, full_package_finding()}, at_s(1'760'000'100));
    const auto older_result = db.pass({older}, at_s(1'760'000'200));

    CHECK(equal_result.counts.unchanged == 2);
    CHECK(older_result.counts.unchanged == 1);
    CHECK(equal_result.counts.inserted + equal_result.counts.updated +
              older_result.counts.inserted + older_result.counts.updated ==
          0);
    CHECK(equal_result.snippets_wanted.empty());
    CHECK(older_result.snippets_wanted.empty());
    CHECK(inspector_tuple_counts(db) == before);
    CHECK(db.text(rows_sql) == rows_before);
    CHECK(db.text("SELECT title || '/' || status FROM inspector_findings WHERE type = '" +
                  std::string(kCode) + "'") == "SQL injection — 検出 🔒/ACTIVE");
    CHECK(db.count("SELECT count(*) FROM inspector_finding_versions") == 2);
}

TEST_CASE("a newer Inspector version rewrites the finding, replaces its children and its snippet",
          "[inspector_store]") {
    InspectorDatabase db;
    const Finding v1 = full_code_finding();
    db.pass({v1}, at_s(1'760'000'000));
    SnippetOutcome snippet{arn_of("code-1"), *v1.updated_at, SnippetOutcome::kStored, "", {}, {}};
    snippet.lines = {{41, "q = build(x)"}, {42, "run(q)"}};
    snippet.fixes = {{"bind it", "run(q, (x,))"}};
    REQUIRE(db.snippets.apply_snippets({snippet}) == 1);
    const TupleCounts before = inspector_tuple_counts(db);

    Finding v2 = full_code_finding();
    v2.updated_at = *v1.updated_at + std::chrono::seconds(60);
    v2.status = "CLOSED";
    v2.title = "fixed";
    v2.resources = std::vector<Resource>{v1.resources->at(1)};
    v2.code->detector_tags = std::vector<std::string>{"sql"};
    v2.code->cwes.reset();
    v2.code->reference_urls = std::vector<std::string>{"https://new"};
    const auto result = db.pass({v2}, at_s(1'760'000'100));

    CHECK(result.counts.updated == 1);
    CHECK(result.counts.inserted == 0);
    CHECK(result.snippets_wanted ==
          std::vector<SnippetRequest>{{arn_of("code-1"), *v2.updated_at}});
    const TupleCounts after = inspector_tuple_counts(db);
    CHECK(after.updated == before.updated + 1);
    // The old children: 2 resources, 2 CWEs, 3 tags, 2 URLs, 2 code lines, 1 fix.
    CHECK(after.deleted == before.deleted + 2 + 2 + 3 + 2 + 2 + 1);
    // The new ones: 1 resource, 1 tag, 1 URL, and a version.
    CHECK(after.inserted == before.inserted + 1 + 1 + 1 + 1);
    CHECK(db.text("SELECT title || '/' || status || '/' || snippet_status || '/' ||"
                  " extract(epoch FROM first_seen_at) || '/' || extract(epoch FROM last_changed_at)"
                  " FROM inspector_findings") ==
          "fixed/CLOSED/pending/1760000000.000000/1760000100.000000");
    CHECK(db.text("SELECT string_agg(resource_id, ' ') FROM inspector_finding_resources") ==
          "fn-1");
    CHECK(db.text("SELECT string_agg(ordinal || ':' || tag, ' ')"
                  " FROM inspector_finding_detector_tags") == "1:sql");
    CHECK(db.count("SELECT count(*) FROM inspector_finding_cwes") == 0);
    CHECK(db.text("SELECT string_agg(ordinal || ':' || url, ' ')"
                  " FROM inspector_finding_reference_urls") == "1:https://new");
    CHECK(db.count("SELECT count(*) FROM inspector_finding_code_lines") == 0);
    CHECK(db.count("SELECT count(*) FROM inspector_finding_suggested_fixes") == 0);
    CHECK(db.text("SELECT string_agg(status || ':' || title, ',' ORDER BY updated_at)"
                  " FROM inspector_finding_versions") ==
          "ACTIVE:SQL injection — 検出 🔒,CLOSED:fixed");
}

TEST_CASE("repeated ARNs within an Inspector page keep the newest version, the last on a tie",
          "[inspector_store]") {
    InspectorDatabase db;
    auto newest = finding_at("a", at_s(300));
    newest.title = "newest";
    auto older = finding_at("a", at_s(100));
    older.title = "older";
    auto tie_first = finding_at("b", at_s(100));
    tie_first.title = "first";
    auto tie_last = finding_at("b", at_s(100));
    tie_last.title = "last";

    const auto result = db.pass({newest, tie_first, older, tie_last}, at_s(1'000));

    CHECK(result.counts.seen == 4);
    CHECK(result.counts.inserted == 2);
    CHECK(result.counts.unchanged == 2);
    CHECK(db.text("SELECT string_agg(split_part(finding_arn, '/', 2) || ':' || title, ' '"
                  " ORDER BY finding_arn) FROM inspector_findings") == "a:newest b:last");
    CHECK(db.count("SELECT count(*) FROM inspector_finding_versions") == 2);
    CHECK(db.text("SELECT findings_seen || '/' || findings_inserted || '/' || findings_unchanged"
                  " FROM sync_runs") == "4/2/2");
}

TEST_CASE("an Inspector finding without an ARN is rejected, counted in the run, the page goes on",
          "[inspector_store]") {
    InspectorDatabase db;
    Finding no_arn;
    no_arn.title = "who am I";
    no_arn.type = kCode;

    const auto result =
        db.pass({finding_at("a", at_s(1)), no_arn, finding_at("b", at_s(1))}, at_s(1'000));

    CHECK(result.counts.seen == 3);
    CHECK(result.counts.inserted == 2);
    CHECK(result.counts.rejected == 1);
    CHECK(result.snippets_wanted.size() == 2);
    CHECK(db.text("SELECT pages || '/' || findings_seen || '/' || findings_inserted || '/' ||"
                  " findings_updated || '/' || findings_unchanged || '/' || findings_rejected"
                  " FROM sync_runs") == "1/3/2/0/0/1");
    CHECK(db.count("SELECT count(*) FROM inspector_findings WHERE title = 'who am I'") == 0);
}

TEST_CASE("a full pass marks missing only the stream's findings in scope that it did not return",
          "[inspector_store]") {
    InspectorDatabase db;
    const std::int64_t eu_run = db.start_stream("eu-west-1");
    db.scope = InspectorScope{{kCode}, {kAccount}, "ACTIVE"};
    auto other_account = finding_at("other-account", at_s(100));
    other_account.finding_arn = arn_of("other-account", kRegion, "999999999999");
    auto closed = finding_at("closed", at_s(100));
    closed.status = "CLOSED";
    const std::vector<Finding> all = {finding_at("gone", at_s(100)),
                                      finding_at("kept-1", at_s(100)),
                                      finding_at("kept-2", at_s(100)),
                                      finding_at("package", at_s(100), kPackage),
                                      other_account,
                                      closed};
    db.pass(all, at_s(1'000));
    db.begin_pass("full", at_s(1'000), "eu-west-1");
    db.writer.apply("eu-west-1", eu_run, std::nullopt,
                    {finding_at("eu", at_s(100), kCode, "eu-west-1")}, std::nullopt, at_s(1'000),
                    db.scope, true);
    CHECK(db.count("SELECT count(*) FROM inspector_findings WHERE missing_since IS NOT NULL") == 0);

    // The next full pass, over three pages (one of them empty), returns kept-1 and kept-2 only.
    db.begin_pass("full", at_s(2'000));
    db.page(std::nullopt, {finding_at("kept-1", at_s(100))}, std::string("t2"), at_s(2'001));
    CHECK(db.count("SELECT count(*) FROM sync_pass_seen WHERE source = 'inspector'") == 1);
    db.page(std::string("t2"), {}, std::string("t3"), at_s(2'002));
    CHECK(db.count("SELECT count(*) FROM inspector_findings WHERE missing_since IS NOT NULL") == 0);
    db.page(std::string("t3"), {finding_at("kept-2", at_s(100))}, std::nullopt, at_s(2'003));

    CHECK(db.text("SELECT string_agg(split_part(finding_arn, '/', 2) || ':' ||"
                  " extract(epoch FROM missing_since)::bigint, ' ')"
                  " FROM inspector_findings WHERE missing_since IS NOT NULL") == "gone:2003");
    CHECK(db.count("SELECT count(*) FROM sync_pass_seen") == 0);
    CHECK(db.text("SELECT concat_ws('|', next_token, pages_done, pass_kind, pass_filter,"
                  " pass_started_at, extract(epoch FROM watermark)::bigint,"
                  " extract(epoch FROM last_full_at)::bigint,"
                  " extract(epoch FROM last_completed_at)::bigint) FROM sync_checkpoints"
                  " WHERE source = 'inspector' AND scan_name = 'us-east-1'") == "0|2000|2000|2003");
    CHECK(db.text("SELECT pages || '/' || findings_seen FROM sync_runs WHERE run_id = " +
                  std::to_string(db.run_id)) == "4/8");

    // With no account filter, the other account's finding is in scope as well.
    db.scope.accounts.clear();
    db.pass({finding_at("kept-1", at_s(100)), finding_at("kept-2", at_s(100))}, at_s(3'000));
    CHECK(db.text("SELECT string_agg(split_part(finding_arn, '/', 2) || ':' ||"
                  " extract(epoch FROM missing_since)::bigint, ' ' ORDER BY finding_arn)"
                  " FROM inspector_findings WHERE missing_since IS NOT NULL") ==
          "gone:2003 other-account:3000");
}

TEST_CASE("an incremental pass keeps no seen-set and never sets missing_since, a return clears it",
          "[inspector_store]") {
    InspectorDatabase db;
    db.pass({finding_at("a", at_s(100)), finding_at("b", at_s(100)), finding_at("c", at_s(100))},
            at_s(1'000));
    db.pass({finding_at("a", at_s(100))}, at_s(2'000));  // b and c go missing
    const std::string missing_sql =
        "SELECT coalesce(string_agg(split_part(finding_arn, '/', 2) || ':' ||"
        " extract(epoch FROM missing_since)::bigint, ' ' ORDER BY finding_arn), '')"
        " FROM inspector_findings WHERE missing_since IS NOT NULL";
    REQUIRE(db.text(missing_sql) == "b:2000 c:2000");

    // An incremental pass returns b unchanged and c newer; a, not returned, stays present.
    db.begin_pass("incremental", at_s(2'900));
    auto c2 = finding_at("c", at_s(200));
    c2.title = "c2";
    const auto first =
        db.page(std::nullopt, {finding_at("b", at_s(100))}, std::string("t2"), at_s(3'000));
    CHECK(db.count("SELECT count(*) FROM sync_pass_seen") == 0);
    const auto last = db.page(std::string("t2"), {c2}, std::nullopt, at_s(3'001));

    CHECK(first.counts.unchanged == 1);
    CHECK(last.counts.updated == 1);
    CHECK(db.text(missing_sql).empty());
    // b changed only its missing_since: no new version, not rewritten.
    CHECK(db.count("SELECT count(*) FROM inspector_finding_versions WHERE finding_arn = '" +
                   arn_of("b") + "'") == 1);
    CHECK(db.count("SELECT extract(epoch FROM last_changed_at)::bigint FROM inspector_findings"
                   " WHERE finding_arn = '" +
                   arn_of("b") + "'") == 1'000);
    // The watermark moves to the pass's start; last_full_at stays the last full pass's.
    CHECK(db.text("SELECT concat_ws('|', pass_kind, pass_started_at,"
                  " extract(epoch FROM watermark)::bigint,"
                  " extract(epoch FROM last_full_at)::bigint) FROM sync_checkpoints") ==
          "2900|2000");

    // An incremental pass that misses a finding does not mark it missing.
    db.begin_pass("incremental", at_s(3'500));
    db.page(std::nullopt, {}, std::nullopt, at_s(3'600));
    CHECK(db.text(missing_sql).empty());
    CHECK(db.text("SELECT concat_ws('|', extract(epoch FROM watermark)::bigint,"
                  " extract(epoch FROM last_full_at)::bigint) FROM sync_checkpoints") ==
          "3500|2000");
}

TEST_CASE("a stale Inspector page raises StalePageError and changes nothing", "[inspector_store]") {
    InspectorDatabase db;
    // A CodeGuru scan named like the stream, owned by the same run id: not the stream's.
    db.exec(
        "INSERT INTO sync_checkpoints (source, scan_name, status_filter, run_id)"
        " VALUES ('codeguru', 'eu-west-1', 'All', $1)",
        db.run_id);
    db.begin_pass("full", at_s(900));
    db.page(std::nullopt, {finding_at("a", at_s(100))}, std::string("token/2+="), at_s(1'000));
    const std::string state_sql =
        "SELECT c.next_token || '/' || c.pages_done || '/' || r.pages || '/' || r.findings_seen"
        " FROM sync_checkpoints c JOIN sync_runs r USING (run_id) WHERE c.source = 'inspector'";
    const std::string state_before = db.text(state_sql);
    const TupleCounts before = inspector_tuple_counts(db);

    const std::vector<Finding> changed = {finding_at("a", at_s(200)), finding_at("b", at_s(1))};
    // The same page again, as after a commit whose answer was lost.
    CHECK_THROWS_AS(db.page(std::nullopt, changed, std::string("x"), at_s(1'001)), StalePageError);
    // The right token, but for a run that does not own the checkpoint.
    CHECK_THROWS_AS(db.writer.apply(kRegion, db.run_id + 1, std::string("token/2+="), changed,
                                    std::nullopt, at_s(1'002), db.scope, true),
                    StalePageError);
    // A stream without an Inspector checkpoint, though a CodeGuru scan has its name.
    CHECK_THROWS_AS(db.writer.apply("eu-west-1", db.run_id, std::nullopt, changed, std::nullopt,
                                    at_s(1'003), db.scope, true),
                    StalePageError);

    CHECK(state_before == "token/2+=/1/1/1");
    CHECK(db.text(state_sql) == state_before);
    CHECK(inspector_tuple_counts(db) == before);

    // The connection is still usable, and the right next page applies.
    const auto result = db.page(std::string("token/2+="), changed, std::nullopt, at_s(1'004));
    CHECK(result.counts.updated == 1);
    CHECK(result.counts.inserted == 1);
}

TEST_CASE("written CODE_VULNERABILITY findings make their snippets pending, by page position",
          "[inspector_store]") {
    InspectorDatabase db;
    db.pass({finding_at("same", at_s(100)), finding_at("older", at_s(100))}, at_s(1'000), false);
    CHECK(db.count("SELECT count(*) FROM inspector_findings WHERE snippet_status IS NULL") == 2);

    const auto result =
        db.pass({finding_at("new", at_s(100)), finding_at("pkg", at_s(100), kPackage),
                 finding_at("same", at_s(100)), finding_at("older", at_s(150))},
                at_s(2'000));

    CHECK(result.snippets_wanted ==
          std::vector<SnippetRequest>{{arn_of("new"), at_s(100)}, {arn_of("older"), at_s(150)}});
    CHECK(db.text("SELECT string_agg(split_part(finding_arn, '/', 2) || ':' ||"
                  " coalesce(snippet_status, '-'), ' ' ORDER BY finding_arn)"
                  " FROM inspector_findings") == "new:pending older:pending pkg:- same:-");

    // Snippets off: a newer version wants none and drops the pending state.
    const auto off = db.pass({finding_at("older", at_s(160))}, at_s(3'000), false);
    CHECK(off.snippets_wanted.empty());
    CHECK(db.is_null("SELECT snippet_status FROM inspector_findings WHERE finding_arn = '" +
                     arn_of("older") + "'"));
}

TEST_CASE("snippet outcomes apply to the version asked for while pending, stale ones are skipped",
          "[inspector_store]") {
    InspectorDatabase db;
    db.pass({finding_at("stored", at_s(100)), finding_at("not-found", at_s(100)),
             finding_at("refused", at_s(100)), finding_at("retry", at_s(100)),
             finding_at("stale", at_s(100))},
            at_s(1'000));

    SnippetOutcome stored{arn_of("stored"), at_s(100), SnippetOutcome::kStored, "", {}, {}};
    stored.lines = {{10, "first"}, {11, "second"}, {10, "repeated"}, {std::nullopt, "no number"}};
    stored.fixes = {{"fix one", "a()"}, {std::nullopt, "b()"}};
    const std::vector<SnippetOutcome> outcomes = {
        stored,
        {arn_of("not-found"),
         at_s(100),
         SnippetOutcome::kNotFound,
         "CODE_SNIPPET_NOT_FOUND: none",
         {},
         {}},
        {arn_of("refused"), at_s(100), SnippetOutcome::kRefused, "INVALID_INPUT: bad", {}, {}},
        {arn_of("retry"), at_s(100), SnippetOutcome::kPending, "ACCESS_DENIED: denied", {}, {}},
        // Asked for an older version than the stored one.
        {arn_of("stale"),
         at_s(100) - std::chrono::microseconds(1),
         SnippetOutcome::kStored,
         "",
         {{1, "stale line"}},
         {}},
        // Not stored at all.
        {arn_of("unknown"), at_s(100), SnippetOutcome::kStored, "", {{1, "x"}}, {}},
    };

    CHECK(db.snippets.apply_snippets(outcomes) == 4);

    CHECK(db.text("SELECT string_agg(split_part(finding_arn, '/', 2) || ':' || snippet_status ||"
                  " ':' || coalesce(snippet_error, '-'), ' ' ORDER BY finding_arn)"
                  " FROM inspector_findings") ==
          "not-found:not_found:CODE_SNIPPET_NOT_FOUND: none refused:refused:INVALID_INPUT: bad"
          " retry:pending:ACCESS_DENIED: denied stale:pending:- stored:stored:-");
    CHECK(
        db.text("SELECT string_agg(split_part(finding_arn, '/', 2) || ':' || line_number || ':' ||"
                " content, ' ' ORDER BY finding_arn, line_number)"
                " FROM inspector_finding_code_lines") == "stored:10:first stored:11:second");
    CHECK(db.text("SELECT string_agg(ordinal || ':' || coalesce(description, '-') || ':' || code,"
                  " ' ' ORDER BY ordinal) FROM inspector_finding_suggested_fixes"
                  " WHERE finding_arn = '" +
                  arn_of("stored") + "'") == "1:fix one:a() 2:-:b()");

    // Applied again, nothing is pending for these versions any more: all skipped.
    auto again = outcomes;
    again[0].lines = {{99, "late"}};
    CHECK(db.snippets.apply_snippets({again[0], again[1], again[2]}) == 0);
    CHECK(db.count("SELECT count(*) FROM inspector_finding_code_lines") == 2);

    // Pending: never tried first, then the oldest version; per region, up to the limit.
    db.pass({finding_at("newer-never-tried", at_s(50))}, at_s(2'000));
    CHECK(db.snippets.pending_snippets(kRegion, 10) ==
          std::vector<SnippetRequest>{{arn_of("newer-never-tried"), at_s(50)},
                                      {arn_of("stale"), at_s(100)},
                                      {arn_of("retry"), at_s(100)}});
    CHECK(db.snippets.pending_snippets(kRegion, 1) ==
          std::vector<SnippetRequest>{{arn_of("newer-never-tried"), at_s(50)}});
    CHECK(db.snippets.pending_snippets("eu-west-1", 10).empty());

    // A retried snippet that comes stores its lines and clears the error.
    CHECK(db.snippets.apply_snippets(
              {{arn_of("retry"), at_s(100), SnippetOutcome::kStored, "", {{5, "five"}}, {}}}) == 1);
    CHECK(db.text("SELECT snippet_status || ':' || coalesce(snippet_error, '-') FROM"
                  " inspector_findings WHERE finding_arn = '" +
                  arn_of("retry") + "'") == "stored:-");
}

TEST_CASE("code_findings shows both sources' code findings in one vocabulary",
          "[inspector_store]") {
    InspectorDatabase db;
    db.query(
        "INSERT INTO findings (scan_name, finding_id, created_at, updated_at, title, severity,"
        " status, detector_name, rule_id, file_path, start_line, end_line, first_seen_at,"
        " last_changed_at) VALUES ('shop-scan', 'cg-1', to_timestamp(10), to_timestamp(20),"
        " 'cg title', 'Medium', 'Open', 'Detector', 'rule-cg', 'src/a.py', 3, 4,"
        " to_timestamp(30), to_timestamp(30))");
    auto info = finding_at("info", at_s(200));
    info.severity = "INFORMATIONAL";
    info.first_observed_at = at_s(150);
    Resource repo;
    repo.id = "repo-id";
    repo.code_repository = CodeRepository{"shop", std::nullopt, std::nullopt};
    Resource second;
    second.id = "second";
    info.resources = std::vector<Resource>{repo, second};
    info.code = CodeVulnerabilityDetails{};
    info.code->detector_name = "Insp detector";
    info.code->rule_id = "rule-in";
    info.code->file_path = "src/b.py";
    info.code->start_line = 7;
    info.code->end_line = 9;
    auto untriaged = finding_at("untriaged", at_s(300));
    untriaged.severity = "UNTRIAGED";
    untriaged.status = "SUPPRESSED";
    Resource no_project;
    no_project.id = "resource-only";
    untriaged.resources = std::vector<Resource>{no_project};
    auto critical = finding_at("critical", at_s(400));
    critical.severity = "CRITICAL";
    critical.status = "CLOSED";
    auto high = finding_at("high", at_s(400));
    high.severity = "HIGH";
    auto medium = finding_at("medium", at_s(400));
    medium.severity = "MEDIUM";
    auto low = finding_at("low", at_s(400));
    low.severity = "LOW";
    auto package = finding_at("package", at_s(400), kPackage);
    package.severity = "HIGH";
    db.pass({info, untriaged, critical, high, medium, low, package}, at_s(1'000));

    CHECK(db.text("SELECT string_agg(concat_ws('|', source, coalesce(account_id, '-'),"
                  " coalesce(region, '-'), coalesce(project, '-'),"
                  " split_part(finding_id, '/', 2), coalesce(severity, '-'), status),"
                  " ' / ' ORDER BY source, finding_id) FROM code_findings") ==
          "codeguru|-|-|shop-scan||Medium|Open"
          " / inspector|111111111111|us-east-1|-|critical|Critical|Closed"
          " / inspector|111111111111|us-east-1|-|high|High|Open"
          " / inspector|111111111111|us-east-1|shop|info|Info|Open"
          " / inspector|111111111111|us-east-1|-|low|Low|Open"
          " / inspector|111111111111|us-east-1|-|medium|Medium|Open"
          " / inspector|111111111111|us-east-1|resource-only|untriaged|-|Suppressed");
    CHECK(db.text("SELECT concat_ws('|', finding_id, title, detector_name, rule_id, file_path,"
                  " start_line, end_line, extract(epoch FROM created_at)::bigint,"
                  " extract(epoch FROM updated_at)::bigint, coalesce(missing_since::text, '-'))"
                  " FROM code_findings WHERE source = 'codeguru'") ==
          "cg-1|cg title|Detector|rule-cg|src/a.py|3|4|10|20|-");
    CHECK(db.text("SELECT concat_ws('|', detector_name, rule_id, file_path, start_line, end_line,"
                  " extract(epoch FROM created_at)::bigint, extract(epoch FROM updated_at)::bigint)"
                  " FROM code_findings WHERE finding_id = '" +
                  arn_of("info") + "'") == "Insp detector|rule-in|src/b.py|7|9|150|200");
}
