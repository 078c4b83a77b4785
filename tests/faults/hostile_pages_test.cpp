// A broken or hostile API against the real daemon (issue 13 item 6, SPEC §2, §7): a page far
// larger than the maxResults asked for, a nextToken that repeats, a pass that never ends,
// a ListScans that loops. Each fails its own run with a clear error, in bounded memory and
// time, marks nothing missing, and leaves the other scans of the cycle to sync normally.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "e2e_fixture.hpp"
#include "finding_generator.hpp"
#include "stored_findings.hpp"

using namespace codeguru::test;
using namespace std::chrono_literals;
using nlohmann::json;
using Kind = Fault::Kind;

namespace {

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// The resident memory of a running process (VmRSS), in KiB; 0 once it is gone.
long resident_kib(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0;
}

// A daemon run to its end, with its peak resident memory as the kernel counted it.
struct MeasuredRun {
    ExitStatus status;
    std::string err;
    long peak_rss_kib = 0;  // wait4's ru_maxrss
};

// Runs the daemon with `args` in `dir` (stdin /dev/null, clean signal state, the test
// environment of daemon_environment()) and reaps it with wait4. A daemon that outlasts
// `timeout`, or whose resident memory passes `rss_limit_kib` (a guard for the machine
// should a regression let a hostile page loose), is killed, and std::runtime_error says so.
MeasuredRun run_measured(const TempDir& dir, const std::vector<std::string>& args,
                         std::chrono::milliseconds timeout, long rss_limit_kib = 2L << 20) {
    static int counter = 0;
    const std::string stem = "measured-" + std::to_string(counter++);
    const auto out_path = dir.path() / (stem + ".out");
    const auto err_path = dir.path() / (stem + ".err");

    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    sigset_t all;
    sigfillset(&all);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attributes, &all);
    posix_spawnattr_setsigmask(&attributes, &none);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    std::vector<std::string> argv_text{daemon_binary().string()};
    argv_text.insert(argv_text.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& arg : argv_text) argv.push_back(arg.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_text;
    for (const auto& [name, value] : daemon_environment()) env_text.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : env_text) envp.push_back(entry.data());
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int spawned =
        ::posix_spawn(&pid, argv[0], &actions, &attributes, argv.data(), envp.data());
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) throw std::runtime_error("cannot start " + argv_text[0]);

    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string killed_because;
    int raw = 0;
    rusage usage{};
    for (;;) {
        const pid_t got = ::wait4(pid, &raw, WNOHANG, &usage);
        if (got == pid) break;
        if (got < 0 && errno != EINTR) throw std::runtime_error("wait4 failed");
        if (killed_because.empty()) {
            if (std::chrono::steady_clock::now() > deadline) {
                killed_because =
                    "did not end within " + std::to_string(timeout.count() / 1000) + " s";
            } else if (const long rss = resident_kib(pid); rss > rss_limit_kib) {
                killed_because = "grew to " + std::to_string(rss / 1024) + " MiB resident";
            }
            if (!killed_because.empty()) ::kill(pid, SIGKILL);
        }
        std::this_thread::sleep_for(5ms);
    }
    MeasuredRun run;
    run.err = read_text(err_path);
    if (!killed_because.empty()) {
        throw std::runtime_error("the daemon " + killed_because + " and was killed:\n" + run.err);
    }
    run.status.exited = WIFEXITED(raw);
    run.status.code = run.status.exited ? WEXITSTATUS(raw) : 0;
    run.status.signal = WIFSIGNALED(raw) ? WTERMSIG(raw) : 0;
    run.peak_rss_kib = usage.ru_maxrss;
    return run;
}

// The latest run of `scan`.
struct RunRow {
    std::string outcome;
    std::string error;
    long pages = 0;
};

RunRow last_run(SchemaInspector& db, const std::string& scan) {
    const auto rows = db.query(
        "SELECT outcome, coalesce(error, ''), pages FROM sync_runs WHERE scan_name = $1 "
        "ORDER BY run_id DESC LIMIT 1",
        scan);
    if (rows.empty()) throw std::runtime_error("no run of scan " + scan);
    return {rows[0][0].as<std::string>(), rows[0][1].as<std::string>(), rows[0][2].as<long>()};
}

long missing(SchemaInspector& db, const std::string& scan) {
    return db
        .query(
            "SELECT count(*) FROM findings WHERE scan_name = $1 AND missing_since IS NOT "
            "NULL",
            scan)[0][0]
        .as<long>();
}

// What `setup` stored for `scan` equals, member for member, the wire's `findings`.
void check_stored(const E2eSetup& setup, const std::string& scan,
                  const std::vector<json>& findings) {
    INFO("scan " << scan);
    CHECK(stored_flat_findings(setup.schema.conninfo(), setup.schema.name(), scan) ==
          expected_flat_findings(findings));
}

// The GetFindings requests of `scan` the fake received, in arrival order.
std::vector<RequestRecord> requests_of(const FakeCodeGuruApi& api, const std::string& scan) {
    std::vector<RequestRecord> out;
    for (auto& request : get_findings_since(api, {})) {
        if (request.scan == scan) out.push_back(std::move(request));
    }
    return out;
}

// The daemon's log lines that contain `text`.
std::size_t lines_with(const std::string& log, const std::string& text) {
    std::size_t n = 0;
    for (const auto& line : non_empty_lines(log)) n += line.find(text) != std::string::npos;
    return n;
}

std::vector<json> first(const std::vector<json>& findings, std::size_t count) {
    return {findings.begin(), findings.begin() + static_cast<std::ptrdiff_t>(count)};
}

// Two scans, "bad" and "good", synced together (concurrency 2) into the setup's schema.
struct TwoScans {
    E2eSetup setup;
    std::vector<json> bad;
    std::vector<json> good;
    DaemonConfig config;

    TwoScans(std::size_t bad_count, std::size_t good_count, int page_size, std::uint64_t seed)
        : bad(generate_findings("bad", bad_count, seed)),
          good(generate_findings("good", good_count, seed + 1)) {
        setup.api.set_scan("bad", bad);
        setup.api.set_scan("good", good);
        config = setup.config({"bad", "good"});
        config.page_size = page_size;
        config.concurrency = 2;
    }

    MeasuredRun run(const std::vector<std::string>& extra_args = {},
                    std::chrono::milliseconds timeout = 60s) {
        std::vector<std::string> args = {setup.write_config(config), "--once"};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        return run_measured(setup.dir, args, timeout);
    }

    // A first clean sync of both scans, then the fake loses the last 5 findings of "bad"
    // and changes some of "good": a pass of "bad" that completed now would mark 5 missing.
    void sync_then_change() {
        const auto clean = run();
        INFO(clean.err);
        REQUIRE(clean.status.exited_with(0));
        bad.resize(bad.size() - 5);
        setup.api.set_scan("bad", bad);
        setup.api.evolve("good", 77);
        good = setup.api.findings("good");
        setup.api.clear_requests();
    }
};

// The peak resident memory of a clean --once sync of `scans` from `api` into a schema of
// its own: the yardstick for the same daemon build fed a hostile page.
long clean_peak_kib(const E2eSetup& setup, const std::vector<std::string>& scans, int page_size) {
    TestSchema schema;
    DaemonConfig config = setup.config(scans);
    config.database_url = schema.conninfo();
    config.schema = schema.name();
    config.page_size = page_size;
    const auto path = setup.dir.write_file("clean.conf", config.render());
    const auto run = run_measured(setup.dir, {"--config=" + path.string(), "--once"}, 60s);
    if (!run.status.exited_with(0)) {
        throw std::runtime_error("the clean sync ended with " + run.status.describe() + ":\n" +
                                 run.err);
    }
    return run.peak_rss_kib;
}

// The oversized-page case: page 2 of "bad" (page size 100) answered with `items` entries.
// Returns the hostile run's peak RSS less the clean run's, in MiB.
double oversized_page_case(std::size_t items) {
    TwoScans c(250, 120, 100, 1301);
    const long clean_kib = clean_peak_kib(c.setup, {"bad", "good"}, 100);
    c.setup.api.clear_requests();
    Fault oversized{.kind = Kind::kOversizedPage, .count = 0, .scan = "bad", .after_requests = 1};
    oversized.items = items;
    c.setup.api.inject(oversized);

    const auto run = c.run();
    INFO(run.err);
    const double extra_mib = static_cast<double>(run.peak_rss_kib - clean_kib) / 1024;
    std::cout << "hostile page of " << items << " entries: daemon peak RSS "
              << run.peak_rss_kib / 1024 << " MiB, a clean sync of the same scans "
              << clean_kib / 1024 << " MiB\n";
    CHECK(run.status.exited_with(1));
    const std::string message = "GetFindings returned more than 100 findings (maxResults=100)";
    CHECK(lines_with(run.err, message) >= 1);

    auto db = c.setup.inspector();
    const RunRow bad_run = last_run(db, "bad");
    CHECK(bad_run.outcome == "failed");
    CHECK(bad_run.error.find(message) != std::string::npos);
    CHECK(bad_run.error.find("gave up") == std::string::npos);  // never retried
    CHECK(bad_run.pages == 1);
    // Page 1 is stored; nothing of page 2, whose token stays the checkpoint's.
    const auto requests = requests_of(c.setup.api, "bad");
    REQUIRE(requests.size() >= 2);
    const auto hostile_token = requests[1].param("nextToken");
    REQUIRE(hostile_token);
    CHECK(requests.size() == 2);  // the hostile page was asked for once
    const StoredCheckpoint cp = checkpoint(db, "bad");
    CHECK(cp.pages_done == 1);
    CHECK(cp.next_token == hostile_token);
    check_stored(c.setup, "bad", first(c.bad, 100));
    CHECK(missing(db, "bad") == 0);
    // The other scan of the cycle is whole.
    CHECK(last_run(db, "good").outcome == "succeeded");
    check_stored(c.setup, "good", c.good);
    return extra_mib;
}

}  // namespace

TEST_CASE("a page of 10,000 {} to maxResults=100 fails its run at once, the other scan syncs") {
    const double extra_mib = oversized_page_case(10'000);
    // The page is 30 KB: next to nothing over a clean sync of the same scans.
    CHECK(extra_mib < 32);
}

TEST_CASE("a 60 MB page of {} costs the daemon its bytes, never millions of findings") {
    // 20 million entries, just under the transport's 64 MiB cap on a body. Mapped to
    // findings they would take tens of GB; read up to the 101st entry, about the body's
    // size (and the buffer it grew from), whatever the build.
    const double extra_mib = oversized_page_case(20'000'000);
    CHECK(extra_mib < 400);
}

TEST_CASE("a GetFindings nextToken that repeats fails the run and marks nothing missing") {
    TwoScans c(30, 25, 10, 1302);
    c.sync_then_change();
    // From page 2 on, "bad" answers with the very token it was sent.
    c.setup.api.inject(Fault{.kind = Kind::kRepeatToken, .count = 0, .scan = "bad"});

    const auto run = c.run({}, 30s);  // the daemon must not loop
    INFO(run.err);
    CHECK(run.status.exited_with(1));
    CHECK(lines_with(run.err, "repeated nextToken") >= 1);
    auto db = c.setup.inspector();
    const RunRow bad_run = last_run(db, "bad");
    CHECK(bad_run.outcome == "failed");
    CHECK(bad_run.error.find("repeated nextToken") != std::string::npos);
    CHECK(missing(db, "bad") == 0);
    CHECK(requests_of(c.setup.api, "bad").size() <= 3);
    CHECK(last_run(db, "good").outcome == "succeeded");
    check_stored(c.setup, "good", c.good);
    CHECK(missing(db, "good") == 0);
}

TEST_CASE("a pass that never ends fails at sync.max_pages and marks nothing missing") {
    TwoScans c(30, 25, 10, 1303);
    c.sync_then_change();
    // Every page of "bad" carries a fresh token, past the end of its 25 findings.
    c.setup.api.inject(Fault{.kind = Kind::kEndlessPages, .count = 0, .scan = "bad"});

    const auto run = c.run({"--sync.max_pages=5"}, 60s);
    INFO(run.err);
    CHECK(run.status.exited_with(1));
    CHECK(lines_with(run.err, "max_pages") >= 1);
    auto db = c.setup.inspector();
    const RunRow bad_run = last_run(db, "bad");
    CHECK(bad_run.outcome == "failed");
    CHECK(bad_run.error.find("max_pages") != std::string::npos);
    CHECK(bad_run.pages == 5);
    const auto requests = requests_of(c.setup.api, "bad");
    CHECK(requests.size() >= 5);
    CHECK(requests.size() <= 6);  // the sixth page at most asked for, never applied
    CHECK(missing(db, "bad") == 0);
    CHECK(last_run(db, "good").outcome == "succeeded");
    check_stored(c.setup, "good", c.good);
}

TEST_CASE("a ListScans nextToken that repeats fails the listing, the configured scans sync") {
    E2eSetup setup;
    const auto good = generate_findings("good", 25, 1304);
    setup.api.set_scan("good", good);
    setup.api.set_scan("team-a", generate_findings("team-a", 5, 1305));
    // The first ListScans page points on; every later one points back at itself.
    setup.api.inject(
        Fault{.kind = Kind::kEndlessPages, .count = 1, .target = Fault::Target::kListScans});
    setup.api.inject(
        Fault{.kind = Kind::kRepeatToken, .count = 0, .target = Fault::Target::kListScans});
    DaemonConfig config = setup.config({"good"});
    config.extra = "scan_prefix = team-\n";

    const auto run = run_measured(setup.dir, {setup.write_config(config), "--once"}, 60s);
    INFO(run.err);
    CHECK(run.status.exited_with(1));
    CHECK(lines_with(run.err, "ListScans") >= 1);
    CHECK(lines_with(run.err, "repeated nextToken") >= 1);
    CHECK(setup.api.counters().list_scans == 2);
    auto db = setup.inspector();
    CHECK(last_run(db, "good").outcome == "succeeded");
    check_stored(setup, "good", good);
    CHECK(db.count("sync_runs WHERE scan_name = 'team-a'") == 0);
}
