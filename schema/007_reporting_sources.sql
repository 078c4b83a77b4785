-- codeguru-sync schema, version 7: the reporting views of version 2 cover both sources
-- (SPEC §10.4) through code_findings and code_finding_versions, and Inspector code security
-- gains views of its own (docs/reporting.md).
-- Runs with search_path set to the configured schema: no object here names a schema.
--
-- Every view of version 2 is recreated with a leading source column ('codeguru' |
-- 'inspector') and otherwise the same columns and meanings: scan_name is the CodeGuru scan or
-- the Inspector project (code_findings.project), finding_id the CodeGuru id or the Inspector
-- finding ARN; severity and status are in code_findings' vocabulary, so "open" is still
-- status 'Open' (Inspector's ACTIVE) and not missing. Only CODE_VULNERABILITY findings of
-- Inspector are code findings. Views group and partition by source as well, so a CodeGuru
-- scan and an Inspector project of the same name stay apart.

-- Inspector's severity in code_findings' vocabulary: Critical|High|Medium|Low|Info
-- (INFORMATIONAL is Info); UNTRIAGED and anything unknown is NULL.
CREATE FUNCTION code_finding_severity(p_inspector_severity text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT CASE p_inspector_severity
        WHEN 'CRITICAL' THEN 'Critical' WHEN 'HIGH' THEN 'High' WHEN 'MEDIUM' THEN 'Medium'
        WHEN 'LOW' THEN 'Low' WHEN 'INFORMATIONAL' THEN 'Info' END
$function$;

-- Inspector's status in code_findings' vocabulary: Open (ACTIVE), Closed, Suppressed;
-- anything unknown is NULL.
CREATE FUNCTION code_finding_status(p_inspector_status text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT CASE p_inspector_status
        WHEN 'ACTIVE' THEN 'Open' WHEN 'CLOSED' THEN 'Closed'
        WHEN 'SUPPRESSED' THEN 'Suppressed' END
$function$;

-- Version 6's view with the same columns and mapping (now through the two functions above,
-- which the version views share), plus what the reporting views need: detector_id, and
-- first_seen_at (the sync that first stored the finding), which stands in for created_at
-- where the API sent no createdAt / firstObservedAt.
CREATE OR REPLACE VIEW code_findings AS
SELECT 'codeguru'::text AS source,
       NULL::text AS account_id,
       NULL::text AS region,
       f.scan_name AS project,
       f.finding_id,
       f.title,
       f.severity,
       f.status,
       f.detector_name,
       f.rule_id,
       f.file_path,
       f.start_line,
       f.end_line,
       f.created_at,
       f.updated_at,
       f.missing_since,
       f.detector_id,
       f.first_seen_at
FROM findings AS f
UNION ALL
SELECT 'inspector'::text,
       i.aws_account_id,
       i.region,
       coalesce(r.project_name, r.resource_id),
       i.finding_arn,
       i.title,
       code_finding_severity(i.severity),
       code_finding_status(i.status),
       i.detector_name,
       i.rule_id,
       i.file_path,
       i.start_line,
       i.end_line,
       i.first_observed_at,
       i.updated_at,
       i.missing_since,
       i.detector_id,
       i.first_seen_at
FROM inspector_findings AS i
LEFT JOIN inspector_finding_resources AS r ON r.finding_arn = i.finding_arn AND r.ordinal = 1
WHERE i.type = 'CODE_VULNERABILITY';

-- Every observed version of the findings in code_findings, in its vocabulary. An Inspector
-- version belongs to the project of the finding's stored (latest) version.
CREATE VIEW code_finding_versions AS
SELECT 'codeguru'::text AS source,
       v.scan_name AS project,
       v.finding_id,
       v.updated_at,
       v.status,
       v.severity,
       v.title,
       v.observed_at
FROM finding_versions AS v
UNION ALL
SELECT 'inspector'::text,
       coalesce(r.project_name, r.resource_id),
       v.finding_arn,
       v.updated_at,
       code_finding_status(v.status),
       code_finding_severity(v.severity),
       v.title,
       v.observed_at
FROM inspector_finding_versions AS v
JOIN inspector_findings AS i ON i.finding_arn = v.finding_arn
LEFT JOIN inspector_finding_resources AS r ON r.finding_arn = v.finding_arn AND r.ordinal = 1
WHERE i.type = 'CODE_VULNERABILITY';

-- Version 2's views, dependents first.
DROP VIEW open_findings_by_file;
DROP VIEW open_findings_by_rule;
DROP VIEW open_findings_by_detector;
DROP VIEW daily_finding_activity;
DROP VIEW time_to_close_by_month;
DROP VIEW finding_close_times;
DROP VIEW finding_status_changes;
DROP VIEW open_findings_by_age;
DROP VIEW open_findings_by_severity;
DROP VIEW open_findings;

-- "Now" is now(), the start of the querying transaction. Calendar days and months follow
-- the session's TimeZone. An open finding is status 'Open' and still returned by its source
-- (missing_since IS NULL).

-- Every open finding with its age. Age counts from created_at (else first_seen_at), also
-- for a finding that was closed and reopened since; age_days is whole days elapsed.
CREATE VIEW open_findings AS
SELECT c.source, c.project AS scan_name, c.finding_id, c.severity,
       severity_rank(c.severity) AS severity_rank, c.title, c.detector_id, c.detector_name,
       c.rule_id, c.file_path, c.start_line,
       coalesce(c.created_at, c.first_seen_at) AS opened_at,
       now() - coalesce(c.created_at, c.first_seen_at) AS age,
       floor(extract(epoch FROM now() - coalesce(c.created_at, c.first_seen_at)) / 86400)::integer
           AS age_days
FROM code_findings AS c
WHERE c.status = 'Open' AND c.missing_since IS NULL;

CREATE VIEW open_findings_by_severity AS
SELECT source, scan_name, severity, severity_rank, count(*) AS open_findings
FROM open_findings
GROUP BY source, scan_name, severity, severity_rank;

-- Buckets of age_days: 1 '0-7 days', 2 '8-30 days', 3 '31-90 days', 4 '>90 days'.
-- Only buckets that hold findings have a row.
CREATE VIEW open_findings_by_age AS
SELECT o.source, o.scan_name, o.severity, o.severity_rank,
       (ARRAY['0-7 days', '8-30 days', '31-90 days', '>90 days'])[b.bucket_order] AS age_bucket,
       b.bucket_order, count(*) AS open_findings
FROM open_findings AS o
CROSS JOIN LATERAL (SELECT CASE WHEN o.age_days <= 7 THEN 1
                                WHEN o.age_days <= 30 THEN 2
                                WHEN o.age_days <= 90 THEN 3
                                ELSE 4 END AS bucket_order) AS b
GROUP BY o.source, o.scan_name, o.severity, o.severity_rank, b.bucket_order;

-- Status changes between the versions observed, at the version's updated_at: 'closed'
-- (to Closed from anything else, or a finding first observed Closed) and 'reopened'
-- (from Closed to Open). Versions the daemon never observed (changed and changed back
-- between two syncs) are not here; neither is suppressing or unsuppressing a finding.
CREATE VIEW finding_status_changes AS
SELECT s.source, s.scan_name, s.finding_id, s.changed_at, s.from_status, s.to_status,
       CASE WHEN s.to_status = 'Closed' THEN 'closed' ELSE 'reopened' END AS change
FROM (SELECT v.source, v.project AS scan_name, v.finding_id, v.updated_at AS changed_at,
             v.status AS to_status,
             lag(v.status) OVER (PARTITION BY v.source, v.project, v.finding_id
                                 ORDER BY v.updated_at) AS from_status
      FROM code_finding_versions AS v) AS s
WHERE (s.to_status = 'Closed' AND s.from_status IS DISTINCT FROM 'Closed')
   OR (s.to_status = 'Open' AND s.from_status = 'Closed');

-- One row per finding with versions. closed_at: the first Closed version after the last
-- Open one (NULL while the finding is open or suppressed); time_to_close: closed_at -
-- created_at; reopen_count: the changes from Closed back to Open.
CREATE VIEW finding_close_times AS
WITH versions AS (
    SELECT v.source, v.project AS scan_name, v.finding_id, v.updated_at, v.status,
           max(v.updated_at) FILTER (WHERE v.status = 'Open')
               OVER (PARTITION BY v.source, v.project, v.finding_id) AS last_opened_at,
           lag(v.status) OVER (PARTITION BY v.source, v.project, v.finding_id
                               ORDER BY v.updated_at) AS previous_status
    FROM code_finding_versions AS v
), history AS (
    SELECT source, scan_name, finding_id, max(last_opened_at) AS last_opened_at,
           min(updated_at) FILTER (WHERE status = 'Closed'
                                     AND updated_at > coalesce(last_opened_at, '-infinity'))
               AS closed_at,
           count(*) FILTER (WHERE status = 'Open' AND previous_status = 'Closed') AS reopen_count
    FROM versions
    GROUP BY source, scan_name, finding_id
)
SELECT c.source, c.project AS scan_name, c.finding_id, c.severity,
       severity_rank(c.severity) AS severity_rank, c.status, c.created_at, h.last_opened_at,
       h.closed_at, h.closed_at - c.created_at AS time_to_close,
       (extract(epoch FROM h.closed_at - c.created_at) / 86400)::double precision AS days_to_close,
       h.reopen_count
FROM code_findings AS c
-- Equality on the scan, so that a filter on scan_name reaches both sides' indexes. An
-- Inspector finding always has a resource, hence a project, as the API sends it.
JOIN history AS h ON h.source = c.source AND h.scan_name = c.project
                 AND h.finding_id = c.finding_id;

-- Per source over all its scans or projects, by the calendar month of closed_at. *_days:
-- the same in days, 2 decimals.
CREATE VIEW time_to_close_by_month AS
SELECT c.source, date_trunc('month', c.closed_at)::date AS month, c.severity, c.severity_rank,
       count(*) AS closed_findings,
       avg(c.time_to_close) AS mean_time_to_close,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY c.time_to_close) AS median_time_to_close,
       round(avg(c.days_to_close)::numeric, 2) AS mean_days,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY c.days_to_close)::numeric, 2)
           AS median_days
FROM finding_close_times AS c
WHERE c.time_to_close IS NOT NULL
GROUP BY c.source, date_trunc('month', c.closed_at)::date, c.severity, c.severity_rank;

-- Per scan or project and calendar day: findings created (created_at, else first_seen_at),
-- closed and reopened (finding_status_changes). Days with none of the three have no row.
CREATE VIEW daily_finding_activity AS
SELECT e.source, e.scan_name, e.day,
       count(*) FILTER (WHERE e.kind = 'new') AS new_findings,
       count(*) FILTER (WHERE e.kind = 'closed') AS closed_findings,
       count(*) FILTER (WHERE e.kind = 'reopened') AS reopened_findings
FROM (SELECT c.source, c.project AS scan_name,
             date_trunc('day', coalesce(c.created_at, c.first_seen_at))::date AS day,
             'new' AS kind
      FROM code_findings AS c
      UNION ALL
      SELECT s.source, s.scan_name, date_trunc('day', s.changed_at)::date, s.change
      FROM finding_status_changes AS s) AS e
GROUP BY e.source, e.scan_name, e.day;

CREATE VIEW open_findings_by_detector AS
SELECT source, scan_name, detector_id, max(detector_name) AS detector_name,
       count(*) AS open_findings
FROM open_findings
GROUP BY source, scan_name, detector_id;

CREATE VIEW open_findings_by_rule AS
SELECT source, scan_name, rule_id, count(*) AS open_findings
FROM open_findings
GROUP BY source, scan_name, rule_id;

-- Findings without a file path are left out.
CREATE VIEW open_findings_by_file AS
SELECT source, scan_name, file_path, count(*) AS open_findings
FROM open_findings
WHERE file_path IS NOT NULL
GROUP BY source, scan_name, file_path;

-- Inspector code security. A repository is code_findings.project: the project name of the
-- finding's code repository. A finding counts once under each CWE it lists, and under cwe
-- NULL when it lists none; so a repository's rows add up to more than its open findings
-- when findings have several CWEs.
CREATE VIEW open_code_findings_by_repository_cwe AS
SELECT o.source, o.scan_name AS project, w.cwe, count(DISTINCT o.finding_id) AS open_findings
FROM open_findings AS o
LEFT JOIN inspector_finding_cwes AS w ON w.finding_arn = o.finding_id
WHERE o.source = 'inspector'
GROUP BY o.source, o.scan_name, w.cwe;

-- The same over all repositories: how many open findings and how many repositories each
-- CWE has.
CREATE VIEW open_code_findings_by_cwe AS
SELECT o.source, w.cwe, count(DISTINCT o.scan_name) AS repositories,
       count(DISTINCT o.finding_id) AS open_findings
FROM open_findings AS o
LEFT JOIN inspector_finding_cwes AS w ON w.finding_arn = o.finding_id
WHERE o.source = 'inspector'
GROUP BY o.source, w.cwe;
