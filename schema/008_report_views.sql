-- codeguru-sync schema, version 8: what the HTML report (codeguru-syncd --report --format
-- html) reads beyond the views of version 7, in the same terms, for dashboards as well
-- (docs/reporting.md). Both sources, through code_findings and code_finding_versions.
-- Runs with search_path set to the configured schema: no object here names a schema.
--
-- "Now" is now(); calendar days follow the session's TimeZone; "open" is status 'Open' and
-- not missing, as in version 7.

-- Per scan or project, calendar day and severity: the findings open at the end of each of
-- the last 90 days, today included (today: at now()), from the observed versions. A finding
-- is open at a time when its latest version updated before then is Open, counted under that
-- version's severity, and it was not yet missing (missing_since NULL or later). Counts add
-- up over scans; (day, severity) pairs without open findings have no row.
-- Counted as a running sum of openings (+1 when an Open version starts) and closings (-1
-- when it ends: a later version or missing_since), bucketed by day, so that the cost grows
-- with the versions, not with versions x days (100,000 findings: 1.5 s instead of 8.3 s).
CREATE VIEW daily_open_findings AS
WITH spans AS (
    SELECT v.source, v.project AS scan_name, v.status, v.severity, v.updated_at AS valid_from,
           least(lead(v.updated_at) OVER (PARTITION BY v.source, v.project, v.finding_id
                                          ORDER BY v.updated_at),
                 c.missing_since) AS valid_until
    FROM code_finding_versions AS v
    JOIN code_findings AS c ON c.source = v.source AND c.project = v.project
                           AND c.finding_id = v.finding_id
), events AS (
    SELECT source, scan_name, severity, valid_from AS at, 1 AS delta
    FROM spans
    WHERE status = 'Open' AND (valid_until IS NULL OR valid_until > valid_from)
    UNION ALL
    SELECT source, scan_name, severity, valid_until, -1
    FROM spans
    WHERE status = 'Open' AND valid_until > valid_from
), first_day AS (
    SELECT date_trunc('day', now()) - interval '89 days' AS day
), buckets AS (
    SELECT e.source, e.scan_name, e.severity, greatest(date_trunc('day', e.at), f.day) AS day,
           sum(e.delta) AS delta
    FROM events AS e CROSS JOIN first_day AS f
    WHERE e.at < now()
    GROUP BY 1, 2, 3, 4
), series AS (
    SELECT DISTINCT source, scan_name, severity FROM buckets
), days AS (
    SELECT d AS day
    FROM first_day AS f, generate_series(f.day, date_trunc('day', now()), interval '1 day') AS d
), running AS (
    SELECT s.source, s.scan_name, d.day, s.severity,
           sum(coalesce(b.delta, 0)) OVER (PARTITION BY s.source, s.scan_name, s.severity
                                           ORDER BY d.day) AS open_findings
    FROM series AS s
    CROSS JOIN days AS d
    LEFT JOIN buckets AS b ON b.source = s.source AND b.scan_name = s.scan_name
                          AND b.severity IS NOT DISTINCT FROM s.severity AND b.day = d.day
)
SELECT source, scan_name, day::date AS day, severity, severity_rank(severity) AS severity_rank,
       open_findings::bigint AS open_findings
FROM running
WHERE open_findings > 0;

-- Per scan or project and severity: findings new (created_at, else first_seen_at) and
-- findings closed (finding_close_times.closed_at: closed now, as --report counts them) in
-- the last 7 and 30 days before now(). Counts add up over scans; only scans and severities
-- with something new or closed in 30 days have a row.
CREATE VIEW recent_finding_counts AS
SELECT e.source, e.scan_name, e.severity, severity_rank(e.severity) AS severity_rank,
       count(*) FILTER (WHERE e.kind = 'new' AND e.at > now() - interval '7 days')
           AS new_last_7_days,
       count(*) FILTER (WHERE e.kind = 'new') AS new_last_30_days,
       count(*) FILTER (WHERE e.kind = 'closed' AND e.at > now() - interval '7 days')
           AS closed_last_7_days,
       count(*) FILTER (WHERE e.kind = 'closed') AS closed_last_30_days
FROM (SELECT c.source, c.project AS scan_name, c.severity, 'new' AS kind,
             coalesce(c.created_at, c.first_seen_at) AS at
      FROM code_findings AS c
      UNION ALL
      SELECT t.source, t.scan_name, t.severity, 'closed', t.closed_at
      FROM finding_close_times AS t
      WHERE t.closed_at IS NOT NULL) AS e
WHERE e.at > now() - interval '30 days'
GROUP BY e.source, e.scan_name, e.severity;

-- Median and 90th percentile (continuous) of days_to_close per severity over every close so
-- far (finding_close_times), of the sources and scans or projects given; NULL: all of them.
-- A function of the filter, not a view, because medians do not add up over scans.
CREATE FUNCTION time_to_close_by_severity(p_sources text[] DEFAULT NULL,
                                          p_scans text[] DEFAULT NULL)
RETURNS TABLE (severity text, severity_rank integer, closed_findings bigint,
               median_days double precision, p90_days double precision)
LANGUAGE sql STABLE
SET search_path FROM CURRENT
AS $function$
    SELECT c.severity, c.severity_rank, count(*),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY c.days_to_close),
           percentile_cont(0.9) WITHIN GROUP (ORDER BY c.days_to_close)
    FROM finding_close_times AS c
    WHERE c.closed_at IS NOT NULL
      AND (p_sources IS NULL OR c.source = ANY (p_sources))
      AND (p_scans IS NULL OR c.scan_name = ANY (p_scans))
    GROUP BY c.severity, c.severity_rank
    ORDER BY c.severity_rank, c.severity
$function$;
