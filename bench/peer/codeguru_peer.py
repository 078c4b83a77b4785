"""The reference peer: what a user would write instead of codeguru-syncd.

A short boto3 + psycopg2 script that copies CodeGuru Security findings into the same
tables as the daemon (SPEC §5; a schema made by `codeguru-syncd --migrate`): for each scan,
boto3's GetFindings paginator, and per page one transaction that upserts the findings with
`INSERT ... ON CONFLICT DO UPDATE` (psycopg2.extras.execute_values) and replaces the page's
child rows (detector tags, code lines, suggested fixes, reference URLs, related
vulnerabilities) by delete + insert. boto3 runs with its defaults (legacy retry mode, 5
attempts) apart from the endpoint.

What it leaves out, against the daemon:
- finding_versions (the history), sync_runs, sync_checkpoints and the pass's seen-set:
  no run records, no resume in the middle of a scan, no `missing_since` for findings that
  disappear;
- every finding on every page is rewritten, newer or not (no `updatedAt` comparison);
- text with NUL characters (psycopg2 refuses them) and findings without an id are not
  handled beyond skipping the latter;
- scans one after another, no parallelism, no lease.

Run it with /usr/bin/python3 (Debian's python3-boto3 and python3-psycopg2) and
AWS_DATA_PATH=bench/peer/models: Debian's botocore has no codeguru-security model.
    codeguru_peer.py --endpoint URL --region R --database DSN --schema S [--page-size N] SCAN...
Prints `findings=N pages=N seconds=S`.
"""

import argparse
import datetime
import time

import boto3
import psycopg2
import psycopg2.extras

FINDING_COLUMNS = (
    "scan_name, finding_id, created_at, updated_at, title, description, type, status, severity, "
    "generator_id, detector_id, detector_name, rule_id, resource_id, sub_resource_id, "
    "vulnerability_id, item_count, file_name, file_path, start_line, end_line, "
    "recommendation_text, recommendation_url, first_seen_at, last_changed_at")
UPSERT_FINDINGS = f"""
    INSERT INTO findings ({FINDING_COLUMNS}) VALUES %s
    ON CONFLICT (scan_name, finding_id) DO UPDATE SET
        created_at = EXCLUDED.created_at, updated_at = EXCLUDED.updated_at,
        title = EXCLUDED.title, description = EXCLUDED.description, type = EXCLUDED.type,
        status = EXCLUDED.status, severity = EXCLUDED.severity,
        generator_id = EXCLUDED.generator_id, detector_id = EXCLUDED.detector_id,
        detector_name = EXCLUDED.detector_name, rule_id = EXCLUDED.rule_id,
        resource_id = EXCLUDED.resource_id, sub_resource_id = EXCLUDED.sub_resource_id,
        vulnerability_id = EXCLUDED.vulnerability_id, item_count = EXCLUDED.item_count,
        file_name = EXCLUDED.file_name, file_path = EXCLUDED.file_path,
        start_line = EXCLUDED.start_line, end_line = EXCLUDED.end_line,
        recommendation_text = EXCLUDED.recommendation_text,
        recommendation_url = EXCLUDED.recommendation_url,
        last_changed_at = EXCLUDED.last_changed_at, missing_since = NULL"""
CHILD_TABLES = {
    "finding_detector_tags": "scan_name, finding_id, tag, ordinal",
    "finding_code_lines": "scan_name, finding_id, line_number, content",
    "finding_suggested_fixes": "scan_name, finding_id, ordinal, description, code",
    "finding_reference_urls": "scan_name, finding_id, ordinal, url",
    "finding_related_vulnerabilities": "scan_name, finding_id, ordinal, related_id",
}


def finding_row(scan, f, now):
    vulnerability = f.get("vulnerability", {})
    file_path = vulnerability.get("filePath", {})
    recommendation = f.get("remediation", {}).get("recommendation", {})
    resource = f.get("resource", {})
    return (scan, f["id"], f.get("createdAt"), f.get("updatedAt") or f.get("createdAt") or now,
            f.get("title"), f.get("description"), f.get("type"), f.get("status"),
            f.get("severity"), f.get("generatorId"), f.get("detectorId"), f.get("detectorName"),
            f.get("ruleId"), resource.get("id"), resource.get("subResourceId"),
            vulnerability.get("id"), vulnerability.get("itemCount"), file_path.get("name"),
            file_path.get("path"), file_path.get("startLine"), file_path.get("endLine"),
            recommendation.get("text"), recommendation.get("url"), now, now)


def child_rows(scan, f):
    key = (scan, f["id"])
    vulnerability = f.get("vulnerability", {})
    fixes = f.get("remediation", {}).get("suggestedFixes", [])
    lines = vulnerability.get("filePath", {}).get("codeSnippet", [])
    return {
        "finding_detector_tags": [key + (t, i) for i, t in enumerate(f.get("detectorTags", []), 1)],
        "finding_code_lines": [key + (c["number"], c.get("content")) for c in lines
                               if "number" in c],
        "finding_suggested_fixes": [key + (i, x.get("description"), x.get("code"))
                                    for i, x in enumerate(fixes, 1)],
        "finding_reference_urls": [key + (i, u) for i, u in
                                   enumerate(vulnerability.get("referenceUrls", []), 1)],
        "finding_related_vulnerabilities": [
            key + (i, r) for i, r in enumerate(vulnerability.get("relatedVulnerabilities", []), 1)],
    }


def store_page(conn, scan, findings):
    now = datetime.datetime.now(datetime.timezone.utc)
    # The last of a repeated id wins; ON CONFLICT cannot touch a row twice in one statement.
    by_id = {f["id"]: f for f in findings if f.get("id")}
    children = {table: [] for table in CHILD_TABLES}
    for f in by_id.values():
        for table, rows in child_rows(scan, f).items():
            children[table] += rows
    ids = list(by_id)
    with conn, conn.cursor() as cur:  # one transaction per page
        psycopg2.extras.execute_values(
            cur, UPSERT_FINDINGS, [finding_row(scan, f, now) for f in by_id.values()],
            page_size=1000)
        for table, columns in CHILD_TABLES.items():
            cur.execute(f"DELETE FROM {table} WHERE scan_name = %s AND finding_id = ANY(%s)",
                        (scan, ids))
            if children[table]:
                # A tag or line number repeated within a finding is stored once.
                psycopg2.extras.execute_values(
                    cur, f"INSERT INTO {table} ({columns}) VALUES %s ON CONFLICT DO NOTHING",
                    children[table], page_size=1000)
    return len(by_id)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--endpoint")
    parser.add_argument("--region", default="us-east-1")
    parser.add_argument("--database", required=True)
    parser.add_argument("--schema", default="codeguru")
    parser.add_argument("--page-size", type=int, default=1000)
    parser.add_argument("scans", nargs="+")
    opts = parser.parse_args()

    start = time.monotonic()
    client = boto3.client("codeguru-security", region_name=opts.region,
                          endpoint_url=opts.endpoint)
    conn = psycopg2.connect(opts.database, options=f"-c search_path={opts.schema}")
    paginator = client.get_paginator("get_findings")
    findings = pages = 0
    for scan in opts.scans:
        for page in paginator.paginate(scanName=scan,
                                       PaginationConfig={"PageSize": opts.page_size}):
            findings += store_page(conn, scan, page["findings"])
            pages += 1
    conn.close()
    print(f"findings={findings} pages={pages} seconds={time.monotonic() - start:.3f}")


if __name__ == "__main__":
    main()
