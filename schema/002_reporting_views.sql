-- codeguru-sync schema, version 2: reporting views for dashboards and reports
-- (docs/reporting.md). Runs with search_path set to the configured schema.
--
-- "Now" is now(), the start of the querying transaction. Calendar days and months follow
-- the session's TimeZone. An open finding is status 'Open' and still returned by the API
-- (missing_since IS NULL).

-- Critical 1, High 2, Medium 3, Low 4, Info 5, anything else (or NULL) 6: for ORDER BY.
CREATE FUNCTION severity_rank(p_severity text) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $function$
    SELECT CASE p_severity
        WHEN 'Critical' THEN 1 WHEN 'High' THEN 2 WHEN 'Medium' THEN 3
        WHEN 'Low' THEN 4 WHEN 'Info' THEN 5 ELSE 6 END
$function$;

-- Every open finding with its age. Age counts from createdAt (else first_seen_at), also
-- for a finding that was closed and reopened since; age_days is whole days elapsed.
CREATE VIEW open_findings AS
SELECT f.scan_name, f.finding_id, f.severity, severity_rank(f.severity) AS severity_rank,
       f.title, f.detector_id, f.detector_name, f.rule_id, f.file_path, f.start_line,
       coalesce(f.created_at, f.first_seen_at) AS opened_at,
       now() - coalesce(f.created_at, f.first_seen_at) AS age,
       floor(extract(epoch FROM now() - coalesce(f.created_at, f.first_seen_at)) / 86400)::integer
           AS age_days
FROM findings AS f
WHERE f.status = 'Open' AND f.missing_since IS NULL;

CREATE VIEW open_findings_by_severity AS
SELECT scan_name, severity, severity_rank, count(*) AS open_findings
FROM open_findings
GROUP BY scan_name, severity, severity_rank;

-- Buckets of age_days: 1 '0-7 days', 2 '8-30 days', 3 '31-90 days', 4 '>90 days'.
-- Only buckets that hold findings have a row.
CREATE VIEW open_findings_by_age AS
SELECT o.scan_name, o.severity, o.severity_rank,
       (ARRAY['0-7 days', '8-30 days', '31-90 days', '>90 days'])[b.bucket_order] AS age_bucket,
       b.bucket_order, count(*) AS open_findings
FROM open_findings AS o
CROSS JOIN LATERAL (SELECT CASE WHEN o.age_days <= 7 THEN 1
                                WHEN o.age_days <= 30 THEN 2
                                WHEN o.age_days <= 90 THEN 3
                                ELSE 4 END AS bucket_order) AS b
GROUP BY o.scan_name, o.severity, o.severity_rank, b.bucket_order;

-- Status changes between the versions observed, at the version's updated_at: 'closed'
-- (to Closed from anything else, or a finding first observed Closed) and 'reopened'
-- (from Closed to Open). Versions the daemon never observed (changed and changed back
-- between two syncs) are not here.
CREATE VIEW finding_status_changes AS
SELECT s.scan_name, s.finding_id, s.changed_at, s.from_status, s.to_status,
       CASE WHEN s.to_status = 'Closed' THEN 'closed' ELSE 'reopened' END AS change
FROM (SELECT v.scan_name, v.finding_id, v.updated_at AS changed_at, v.status AS to_status,
             lag(v.status) OVER (PARTITION BY v.scan_name, v.finding_id
                                 ORDER BY v.updated_at) AS from_status
      FROM finding_versions AS v) AS s
WHERE (s.to_status = 'Closed' AND s.from_status IS DISTINCT FROM 'Closed')
   OR (s.to_status = 'Open' AND s.from_status = 'Closed');

-- One row per finding. closed_at: the first Closed version after the last Open one (NULL
-- while the finding is open); time_to_close: closed_at - created_at; reopen_count: the
-- changes from Closed back to Open.
CREATE VIEW finding_close_times AS
WITH versions AS (
    SELECT v.scan_name, v.finding_id, v.updated_at, v.status,
           max(v.updated_at) FILTER (WHERE v.status = 'Open')
               OVER (PARTITION BY v.scan_name, v.finding_id) AS last_opened_at,
           lag(v.status) OVER (PARTITION BY v.scan_name, v.finding_id
                               ORDER BY v.updated_at) AS previous_status
    FROM finding_versions AS v
), history AS (
    SELECT scan_name, finding_id, max(last_opened_at) AS last_opened_at,
           min(updated_at) FILTER (WHERE status = 'Closed'
                                     AND updated_at > coalesce(last_opened_at, '-infinity'))
               AS closed_at,
           count(*) FILTER (WHERE status = 'Open' AND previous_status = 'Closed') AS reopen_count
    FROM versions
    GROUP BY scan_name, finding_id
)
SELECT f.scan_name, f.finding_id, f.severity, severity_rank(f.severity) AS severity_rank,
       f.status, f.created_at, h.last_opened_at, h.closed_at,
       h.closed_at - f.created_at AS time_to_close,
       (extract(epoch FROM h.closed_at - f.created_at) / 86400)::double precision AS days_to_close,
       h.reopen_count
FROM findings AS f
JOIN history AS h USING (scan_name, finding_id);

-- Over all scans, by the calendar month of closed_at. *_days: the same in days, 2 decimals.
CREATE VIEW time_to_close_by_month AS
SELECT date_trunc('month', c.closed_at)::date AS month, c.severity, c.severity_rank,
       count(*) AS closed_findings,
       avg(c.time_to_close) AS mean_time_to_close,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY c.time_to_close) AS median_time_to_close,
       round(avg(c.days_to_close)::numeric, 2) AS mean_days,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY c.days_to_close)::numeric, 2)
           AS median_days
FROM finding_close_times AS c
WHERE c.time_to_close IS NOT NULL
GROUP BY date_trunc('month', c.closed_at)::date, c.severity, c.severity_rank;

-- Per scan and calendar day: findings created (createdAt, else first_seen_at), closed and
-- reopened (finding_status_changes). Days with none of the three have no row.
CREATE VIEW daily_finding_activity AS
SELECT e.scan_name, e.day,
       count(*) FILTER (WHERE e.kind = 'new') AS new_findings,
       count(*) FILTER (WHERE e.kind = 'closed') AS closed_findings,
       count(*) FILTER (WHERE e.kind = 'reopened') AS reopened_findings
FROM (SELECT f.scan_name, date_trunc('day', coalesce(f.created_at, f.first_seen_at))::date AS day,
             'new' AS kind
      FROM findings AS f
      UNION ALL
      SELECT c.scan_name, date_trunc('day', c.changed_at)::date, c.change
      FROM finding_status_changes AS c) AS e
GROUP BY e.scan_name, e.day;

CREATE VIEW open_findings_by_detector AS
SELECT scan_name, detector_id, max(detector_name) AS detector_name, count(*) AS open_findings
FROM open_findings
GROUP BY scan_name, detector_id;

CREATE VIEW open_findings_by_rule AS
SELECT scan_name, rule_id, count(*) AS open_findings
FROM open_findings
GROUP BY scan_name, rule_id;

-- Findings without a file path are left out.
CREATE VIEW open_findings_by_file AS
SELECT scan_name, file_path, count(*) AS open_findings
FROM open_findings
WHERE file_path IS NOT NULL
GROUP BY scan_name, file_path;

-- One row per scan with a run. The sync interval is configuration, not data: compare
-- last_success_age with it in the query (docs/reporting.md, "Sync health").
-- last_error is the error of the latest failed run, also when a later run succeeded.
CREATE VIEW sync_health AS
SELECT s.scan_name,
       latest.started_at AS last_run_started_at,
       latest.outcome AS last_run_outcome,
       ok.finished_at AS last_success_at,
       now() - ok.finished_at AS last_success_age,
       floor(extract(epoch FROM now() - ok.finished_at))::bigint AS last_success_age_s,
       failed.finished_at AS last_failure_at,
       failed.error AS last_error,
       recent.runs_failed_last_day
FROM (SELECT DISTINCT scan_name FROM sync_runs) AS s
CROSS JOIN LATERAL (SELECT r.started_at, r.outcome FROM sync_runs AS r
                    WHERE r.scan_name = s.scan_name
                    ORDER BY r.started_at DESC, r.run_id DESC LIMIT 1) AS latest
LEFT JOIN LATERAL (SELECT r.finished_at FROM sync_runs AS r
                   WHERE r.scan_name = s.scan_name AND r.outcome = 'succeeded'
                   ORDER BY r.finished_at DESC LIMIT 1) AS ok ON true
LEFT JOIN LATERAL (SELECT coalesce(r.finished_at, r.started_at) AS finished_at, r.error
                   FROM sync_runs AS r
                   WHERE r.scan_name = s.scan_name AND r.outcome = 'failed'
                   ORDER BY r.started_at DESC, r.run_id DESC LIMIT 1) AS failed ON true
CROSS JOIN LATERAL (SELECT count(*) AS runs_failed_last_day FROM sync_runs AS r
                    WHERE r.scan_name = s.scan_name AND r.outcome = 'failed'
                      AND coalesce(r.finished_at, r.started_at) > now() - interval '1 day')
    AS recent;
