"""The codeguru-syncd benchmark driver (run it through bench/run).

Everything runs on this machine: a PostgreSQL cluster with PostgreSQL's default
durability, the fake CodeGuru Security API (signatures checked, no compression), and the
daemon as a separate process whose peak RSS comes from wait4().
"""

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "tests", "support", "pg_fixture")
FINDING_TABLES = ["findings", "finding_versions", "finding_detector_tags", "finding_code_lines",
                  "finding_suggested_fixes", "finding_reference_urls",
                  "finding_related_vulnerabilities"]


def psql(conninfo, sql, *args):
    out = subprocess.run(["psql", conninfo, "-XAtq", "-v", "ON_ERROR_STOP=1", "-c", sql, *args],
                         check=True, capture_output=True, text=True)
    return out.stdout.strip()


class Fake:
    """codeguru-fake-api in its own process."""

    def __init__(self, binary, workdir, scans, inspector=0):
        self.port_file = os.path.join(workdir, "fake.port")
        if os.path.exists(self.port_file):
            os.remove(self.port_file)
        args = [binary, "--no-compression", "--seed", "7", "--port-file", self.port_file]
        for name, count in scans:
            args += ["--generate", f"{name}={count}"]
        if inspector:
            args += ["--generate-inspector", str(inspector), "--inspector-regions", "us-east-1",
                     "--inspector-accounts", "111122223333,444455556666"]
        self.log = open(os.path.join(workdir, "fake.log"), "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 600
        while not os.path.exists(self.port_file):
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("the fake API did not start; see " + self.log.name)
            time.sleep(0.2)
        with open(self.port_file) as f:
            self.endpoint = "http://127.0.0.1:" + f.read().strip()

    def counters(self):
        with urllib.request.urlopen(self.endpoint + "/_fake/counters") as r:
            return json.load(r)

    def evolve(self, fraction):
        req = urllib.request.Request(
            f"{self.endpoint}/_fake/evolve?seed=99&new=0&closed=0&updated={fraction}",
            data=b"", method="POST")
        with urllib.request.urlopen(req) as r:
            return json.load(r)

    def evolve_inspector(self, fraction):
        now = int(time.time()) + 1
        req = urllib.request.Request(
            f"{self.endpoint}/_fake/inspector/evolve?seed=99&changed={fraction}&closed=0"
            f"&removed=0&added=0&now={now}", data=b"", method="POST")
        with urllib.request.urlopen(req) as r:
            return json.load(r)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def run_daemon(binary, config, scans, schema):
    """Runs `codeguru-syncd --once`; returns (seconds, peak RSS in MiB)."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDFAKEEXAMPLE",
               AWS_SECRET_ACCESS_KEY="fake/secret+key", AWS_EC2_METADATA_DISABLED="true")
    args = [binary, "--config", config, "--once", "--log-level", "warn",
            f"--database.schema={schema}"]
    for scan in scans:
        args += ["--scan", scan]
    start = time.monotonic()
    proc = subprocess.Popen(args, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"codeguru-syncd exited with {os.waitstatus_to_exitcode(status)}")
    return seconds, usage.ru_maxrss / 1024.0


def statements(conninfo):
    """Top-level statements the daemon's sessions sent (each one round trip), those that
    applied pages, and the milliseconds PostgreSQL spent executing them
    (pg_stat_statements), excluding the driver's own queries."""
    calls, upserts, ms = psql(
        conninfo,
        "SELECT coalesce(sum(calls), 0),"
        " coalesce(sum(calls) FILTER (WHERE query LIKE 'SELECT inserted, updated, unchanged FROM %'), 0),"
        " coalesce(sum(total_exec_time), 0) "
        "FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat_statements%' "
        "AND query NOT ILIKE '%sync_runs WHERE run_id >%'").split("|")
    return int(calls), int(upserts), float(ms)


def measure(name, conninfo, fake, daemon, config, scans, schema, findings,
            counter="getFindings"):
    last_run = int(psql(conninfo, f"SELECT coalesce(max(run_id), 0) FROM {schema}.sync_runs")
                   if psql(conninfo, f"SELECT to_regclass('{schema}.sync_runs')") else 0)
    psql(conninfo, "SELECT pg_stat_statements_reset()")
    before = fake.counters()
    seconds, rss = run_daemon(daemon, config, scans, schema)
    round_trips, upserts, db_ms = statements(conninfo)
    requests = fake.counters()[counter] - before[counter]
    pages = int(psql(conninfo, f"SELECT sum(pages) FROM {schema}.sync_runs "
                               f"WHERE run_id > {last_run}"))
    return {"case": name, "findings": findings, "seconds": round(seconds, 3),
            "findings_per_second": round(findings / seconds), "api_requests": requests,
            "pages": pages, "db_round_trips_per_page": round(round_trips / max(pages, 1), 2),
            "upsert_round_trips_per_page": round(upserts / max(pages, 1), 2),
            "db_seconds": round(db_ms / 1000, 3),
            "peak_rss_mib": round(rss, 1)}


def copy_reference(conninfo, daemon, config, source_schema, workdir):
    """Seconds PostgreSQL takes to COPY the synced rows into empty, identical tables."""
    env = dict(os.environ, AWS_EC2_METADATA_DISABLED="true")
    subprocess.run([daemon, "--config", config, "--migrate", "--database.schema=copy_reference"],
                   check=True, env=env, capture_output=True)
    files = {}
    for table in FINDING_TABLES:
        path = os.path.join(workdir, table + ".copy")
        with open(path, "w") as out:
            subprocess.run(["psql", conninfo, "-XAtq", "-c",
                            f"COPY {source_schema}.{table} TO STDOUT"], check=True, stdout=out)
        os.chmod(path, 0o644)
        files[table] = path
    os.chmod(workdir, 0o755)
    # Server-side COPY FROM files, all tables in one transaction, as the reference limit.
    sql = "BEGIN;" + "".join(f"COPY copy_reference.{t} FROM '{p}';" for t, p in files.items())
    sql += "COMMIT;"
    start = time.monotonic()
    psql(conninfo, sql)
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--build", required=True)
    parser.add_argument("--small", action="store_true")
    opts = parser.parse_args()
    per_scan, scan_count, big = (1000, 10, 50000) if opts.small else (10000, 10, 500000)
    daemon = os.path.join(ROOT, opts.build, "daemon", "codeguru-syncd")
    fake_binary = os.path.join(ROOT, opts.build, "tests", "codeguru-fake-api")

    workdir = tempfile.mkdtemp(prefix="cgbench.")
    state = os.path.join(workdir, "pg")
    env = dict(os.environ, PG_FIXTURE_DURABLE="1",
               PG_FIXTURE_OPTIONS="-c shared_preload_libraries=pg_stat_statements "
                                  "-c pg_stat_statements.track=top -c shared_buffers=512MB")
    subprocess.run([FIXTURE, "start", state], check=True, env=env, stdout=subprocess.DEVNULL)
    fake = None
    results = []
    try:
        with open(state) as f:
            conninfo = f.read().strip()
        psql(conninfo, "CREATE EXTENSION pg_stat_statements")
        scans = [f"bench-{i:02d}" for i in range(scan_count)]
        total = per_scan * scan_count
        print(f"generating {scan_count} x {per_scan} findings in the fake API ...", flush=True)
        fake = Fake(fake_binary, workdir, [(s, per_scan) for s in scans])
        config = os.path.join(workdir, "bench.conf")
        with open(config, "w") as f:
            f.write(f"[aws]\nregion = us-east-1\nendpoint = {fake.endpoint}\n"
                    f"requests_per_second = 1000\n[database]\nurl = {conninfo}\n"
                    f"[sync]\npage_size = 1000\nconcurrency = 2\n")

        results.append(measure("first sync", conninfo, fake, daemon, config, scans, "bench",
                               total))
        results.append(measure("re-sync, no changes", conninfo, fake, daemon, config, scans,
                               "bench", total))
        fake.evolve(0.10)
        results.append(measure("re-sync, 10% changed", conninfo, fake, daemon, config, scans,
                               "bench", total))
        copy_seconds = copy_reference(conninfo, daemon, config, "bench", workdir)
        results.append({"case": "PostgreSQL COPY of the same rows (reference)",
                        "findings": total, "seconds": round(copy_seconds, 3),
                        "findings_per_second": round(total / copy_seconds)})
        fake.stop()

        print(f"generating one scan of {big} findings and one of {per_scan} ...", flush=True)
        fake = Fake(fake_binary, workdir, [("bench-big", big), ("bench-one", per_scan)])
        with open(config, "w") as f:
            f.write(f"[aws]\nregion = us-east-1\nendpoint = {fake.endpoint}\n"
                    f"requests_per_second = 1000\n[database]\nurl = {conninfo}\n"
                    f"[sync]\npage_size = 1000\n")
        # Memory against scan size: the same configuration, one scan each, 50x apart.
        results.append(measure(f"first sync, one scan of {per_scan}", conninfo, fake, daemon,
                               config, ["bench-one"], "bench_one", per_scan))
        results.append(measure(f"first sync, one scan of {big}", conninfo, fake, daemon, config,
                               ["bench-big"], "bench_big", big))
        fake.stop()

        # Amazon Inspector: one stream, code and package findings; then 1% changed.
        inspector = 10000 if opts.small else 100000
        print(f"generating {inspector} Inspector findings ...", flush=True)
        fake = Fake(fake_binary, workdir, [], inspector=inspector)
        with open(config, "w") as f:
            f.write(f"[aws]\nregion = us-east-1\nrequests_per_second = 1000\n"
                    f"[database]\nurl = {conninfo}\n"
                    f"[inspector]\nregion = us-east-1\nendpoint = {fake.endpoint}\n"
                    f"finding_type = CODE_VULNERABILITY\nfinding_type = PACKAGE_VULNERABILITY\n")
        full = measure("Inspector full pass (code + package)", conninfo, fake, daemon, config, [],
                       "bench_inspector", 0, counter="listFindings")
        full["findings"] = int(psql(conninfo, "SELECT count(*) FROM bench_inspector.inspector_findings"))
        full["findings_per_second"] = round(full["findings"] / full["seconds"])
        results.append(full)
        changed = fake.evolve_inspector(0.01)["changed"]
        incremental = measure("Inspector incremental pass, 1% changed", conninfo, fake, daemon,
                              config, [], "bench_inspector", full["findings"],
                              counter="listFindings")
        incremental["changed"] = changed
        results.append(incremental)
    finally:
        if fake is not None and fake.proc.poll() is None:
            fake.stop()
        subprocess.run([FIXTURE, "stop", state], check=False)
        shutil.rmtree(workdir, ignore_errors=True)

    first = results[0]["findings_per_second"]
    report = {
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                   f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB",
        "results": results,
        "first_sync_vs_copy": round(first / results[3]["findings_per_second"], 3),
        "resync_vs_first_sync": round(results[1]["findings_per_second"] / first, 2),
        "rss_big_vs_small": round(results[5]["peak_rss_mib"] / results[4]["peak_rss_mib"], 3),
        "peak_rss_max_mib": max(r["peak_rss_mib"] for r in results if "peak_rss_mib" in r),
        # The incremental pass's cost against the full pass's: it follows the changes.
        "inspector_incremental_vs_full_requests": round(
            results[7]["api_requests"] / max(results[6]["api_requests"], 1), 4),
        "inspector_incremental_vs_full_seconds": round(
            results[7]["seconds"] / results[6]["seconds"], 4),
    }
    header = f"{'case':<46} {'findings':>9} {'seconds':>8} {'findings/s':>10} {'requests':>8} " \
             f"{'trips/page':>10} {'upserts/page':>12} {'peak RSS':>9}"
    print(header)
    print("-" * len(header))
    for r in results:
        print(f"{r['case']:<46} {r['findings']:>9} {r['seconds']:>8.2f} "
              f"{r['findings_per_second']:>10} {r.get('api_requests', ''):>8} "
              f"{r.get('db_round_trips_per_page', ''):>10} "
              f"{r.get('upsert_round_trips_per_page', ''):>12} "
              f"{(str(r['peak_rss_mib']) + ' MiB') if 'peak_rss_mib' in r else '':>9}")
    print(f"\nInspector incremental pass after 1% changed ({results[7].get('changed')} findings): "
          f"{report['inspector_incremental_vs_full_requests']:.1%} of the full pass's requests, "
          f"{report['inspector_incremental_vs_full_seconds']:.1%} of its time")
    print(f"first sync / COPY reference: {report['first_sync_vs_copy']:.0%}   "
          f"re-sync / first sync: {report['resync_vs_first_sync']}x   "
          f"peak RSS one scan of {big} / one of {per_scan}: {report['rss_big_vs_small']}   "
          f"highest peak RSS: {report['peak_rss_max_mib']} MiB")
    # Issue 7's targets. 64 MB is 61.0 MiB; ru_maxrss is in KiB.
    report["targets"] = {
        "first sync >= 70% of COPY": report["first_sync_vs_copy"] >= 0.70,
        "re-sync without changes >= 5x first sync": report["resync_vs_first_sync"] >= 5,
        "peak RSS <= 64 MB": report["peak_rss_max_mib"] * 2**20 <= 64e6,
        "peak RSS of the two single scans within 10%": abs(report["rss_big_vs_small"] - 1) <= 0.10,
    }
    if opts.small:
        print("(--small: scans of one page measure per-run overhead; issue 7's targets are "
              "for the full run)")
    else:
        for target, met in report["targets"].items():
            print(f"  {'met    ' if met else 'MISSED '} {target}")
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    name = "small" if opts.small else "full"
    path = os.path.join(ROOT, "bench", "results", f"{name}-{report['date'][:10]}.json")
    with open(path, "w") as f:
        json.dump(report, f, indent=2)
    print("written to", os.path.relpath(path, ROOT))


if __name__ == "__main__":
    sys.exit(main())
