-- codeguru-sync schema, version 1.
-- Runs with search_path set to the configured schema: no object here names a schema.

-- The latest version of each finding, one row per (scan, finding id).
CREATE TABLE findings (
    scan_name           text        NOT NULL,
    finding_id          text        NOT NULL,
    created_at          timestamptz,
    updated_at          timestamptz NOT NULL,  -- updatedAt, else createdAt, else the sync time
    title               text,
    description         text,
    type                text,
    status              text,
    severity            text,
    generator_id        text,
    detector_id         text,
    detector_name       text,
    rule_id             text,
    resource_id         text,
    sub_resource_id     text,
    vulnerability_id    text,
    item_count          bigint,
    file_name           text,
    file_path           text,
    start_line          bigint,
    end_line            bigint,
    recommendation_text text,
    recommendation_url  text,
    first_seen_at       timestamptz NOT NULL,  -- the sync that first inserted the row
    last_changed_at     timestamptz NOT NULL,  -- the sync that last rewrote the row
    missing_since       timestamptz,           -- set by a complete pass that did not return it
    PRIMARY KEY (scan_name, finding_id)
);

CREATE INDEX findings_scan_status_severity_idx ON findings (scan_name, status, severity);
CREATE INDEX findings_scan_missing_idx ON findings (scan_name, missing_since)
    WHERE missing_since IS NOT NULL;

-- One row per version observed: the history behind time-to-fix reports.
CREATE TABLE finding_versions (
    scan_name   text        NOT NULL,
    finding_id  text        NOT NULL,
    updated_at  timestamptz NOT NULL,
    status      text,
    severity    text,
    title       text,
    observed_at timestamptz NOT NULL,
    PRIMARY KEY (scan_name, finding_id, updated_at),
    FOREIGN KEY (scan_name, finding_id) REFERENCES findings ON DELETE CASCADE
);

CREATE TABLE finding_detector_tags (
    scan_name  text   NOT NULL,
    finding_id text   NOT NULL,
    tag        text   NOT NULL,
    ordinal    bigint NOT NULL,
    PRIMARY KEY (scan_name, finding_id, tag),
    FOREIGN KEY (scan_name, finding_id) REFERENCES findings ON DELETE CASCADE
);

CREATE TABLE finding_code_lines (
    scan_name   text   NOT NULL,
    finding_id  text   NOT NULL,
    line_number bigint NOT NULL,
    content     text,
    PRIMARY KEY (scan_name, finding_id, line_number),
    FOREIGN KEY (scan_name, finding_id) REFERENCES findings ON DELETE CASCADE
);

CREATE TABLE finding_suggested_fixes (
    scan_name   text   NOT NULL,
    finding_id  text   NOT NULL,
    ordinal     bigint NOT NULL,
    description text,
    code        text,
    PRIMARY KEY (scan_name, finding_id, ordinal),
    FOREIGN KEY (scan_name, finding_id) REFERENCES findings ON DELETE CASCADE
);

CREATE TABLE finding_reference_urls (
    scan_name  text   NOT NULL,
    finding_id text   NOT NULL,
    ordinal    bigint NOT NULL,
    url        text   NOT NULL,
    PRIMARY KEY (scan_name, finding_id, ordinal),
    FOREIGN KEY (scan_name, finding_id) REFERENCES findings ON DELETE CASCADE
);

CREATE TABLE finding_related_vulnerabilities (
    scan_name  text   NOT NULL,
    finding_id text   NOT NULL,
    ordinal    bigint NOT NULL,
    related_id text   NOT NULL,
    PRIMARY KEY (scan_name, finding_id, ordinal),
    FOREIGN KEY (scan_name, finding_id) REFERENCES findings ON DELETE CASCADE
);

-- One row per sync attempt of a scan.
CREATE TABLE sync_runs (
    run_id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    scan_name          text        NOT NULL,
    started_at         timestamptz NOT NULL,
    finished_at        timestamptz,
    outcome            text        NOT NULL DEFAULT 'running'
        CHECK (outcome IN ('running', 'succeeded', 'failed', 'interrupted')),
    pages              bigint      NOT NULL DEFAULT 0,
    findings_seen      bigint      NOT NULL DEFAULT 0,
    findings_inserted  bigint      NOT NULL DEFAULT 0,
    findings_updated   bigint      NOT NULL DEFAULT 0,
    findings_unchanged bigint      NOT NULL DEFAULT 0,
    findings_rejected  bigint      NOT NULL DEFAULT 0,
    error              text
);

CREATE INDEX sync_runs_scan_started_idx ON sync_runs (scan_name, started_at);
CREATE INDEX sync_runs_running_idx ON sync_runs (scan_name) WHERE outcome = 'running';

-- Where each scan's pass stands: the token of the next page to fetch.
CREATE TABLE sync_checkpoints (
    scan_name         text PRIMARY KEY,
    status_filter     text        NOT NULL,
    next_token        text,                        -- NULL: the next page is a pass's first
    pages_done        bigint      NOT NULL DEFAULT 0,  -- pages of the current pass applied
    run_id            bigint REFERENCES sync_runs,     -- the run that owns the pass
    last_started_at   timestamptz,
    last_completed_at timestamptz,                 -- the end of the last complete pass
    last_error        text
);

-- The finding ids returned so far in a scan's current pass; emptied when the pass completes.
CREATE TABLE sync_pass_seen (
    scan_name  text NOT NULL,
    finding_id text NOT NULL,
    PRIMARY KEY (scan_name, finding_id)
);

-- Applies one page of findings atomically: the findings, their children and versions,
-- the pass's seen-set, the checkpoint and the run's counters. p_page is a jsonb array of
-- rows as built by codeguru-syncd (store/finding_rows.cpp): one object per finding with
-- the findings columns plus the arrays detector_tags, code_lines, suggested_fixes,
-- reference_urls and related_vulnerabilities (always arrays, already deduplicated).
-- Raises SQLSTATE CG001 when the checkpoint is not at p_expected_token for p_run_id
-- (a stale or repeated page). p_next_token NULL ends the pass: findings of the scan not
-- returned in it get missing_since = p_sync_time.
CREATE FUNCTION apply_findings_page(
    p_scan           text,
    p_run_id         bigint,
    p_expected_token text,
    p_page           jsonb,
    p_next_token     text,
    p_sync_time      timestamptz,
    p_rejected       integer DEFAULT 0)
RETURNS TABLE (inserted integer, updated integer, unchanged integer)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_checkpoint  sync_checkpoints%ROWTYPE;
    v_keep        bigint[];  -- positions in p_page of the entries that win their id
    v_rows        jsonb;     -- the page deduplicated by finding id
    v_written     text[];    -- ids inserted or rewritten with a newer updated_at
    v_rewritten   text[];    -- the subset that existed before (children to replace)
    v_inserted    integer;
    v_received    integer := jsonb_array_length(p_page);
BEGIN
    SELECT * INTO v_checkpoint FROM sync_checkpoints WHERE scan_name = p_scan FOR UPDATE;
    IF NOT FOUND
       OR v_checkpoint.run_id IS DISTINCT FROM p_run_id
       OR v_checkpoint.next_token IS DISTINCT FROM p_expected_token THEN
        RAISE EXCEPTION 'stale page for scan %: the checkpoint is not where run % expects it',
                        p_scan, p_run_id
            USING ERRCODE = 'CG001',
                  DETAIL = 'The page was applied already or another run owns the checkpoint.';
    END IF;

    -- Newest updated_at wins; on a tie the later entry of the page. Positions only are
    -- sorted (byte order), and the page is rebuilt only when it holds duplicates.
    SELECT coalesce(array_agg(d.position), '{}') INTO v_keep
    FROM (SELECT DISTINCT ON ((e.item ->> 'finding_id') COLLATE "C") e.position
          FROM jsonb_array_elements(p_page) WITH ORDINALITY AS e(item, position)
          ORDER BY (e.item ->> 'finding_id') COLLATE "C",
                   (e.item ->> 'updated_at')::timestamptz DESC,
                   e.position DESC) AS d;
    IF cardinality(v_keep) = v_received THEN
        v_rows := p_page;
    ELSE
        SELECT jsonb_agg(e.item ORDER BY e.position) INTO v_rows
        FROM jsonb_array_elements(p_page) WITH ORDINALITY AS e(item, position)
        JOIN unnest(v_keep) AS k(position) USING (position);
    END IF;

    -- A finding that is back but not newer only loses its missing_since.
    UPDATE findings AS f SET missing_since = NULL
    FROM jsonb_to_recordset(v_rows) AS r(finding_id text, updated_at timestamptz)
    WHERE f.scan_name = p_scan AND f.finding_id = r.finding_id
      AND f.missing_since IS NOT NULL AND f.updated_at >= r.updated_at;

    -- An equal or older version changes nothing: no new tuple, no dead one, no row lock.
    -- The WHERE on DO UPDATE is the net for a row inserted concurrently since the check.
    WITH written AS (
        INSERT INTO findings AS f (
            scan_name, finding_id, created_at, updated_at, title, description, type, status,
            severity, generator_id, detector_id, detector_name, rule_id, resource_id,
            sub_resource_id, vulnerability_id, item_count, file_name, file_path, start_line,
            end_line, recommendation_text, recommendation_url, first_seen_at, last_changed_at,
            missing_since)
        SELECT p_scan, r.finding_id, r.created_at, r.updated_at, r.title, r.description,
               r.type, r.status, r.severity, r.generator_id, r.detector_id, r.detector_name,
               r.rule_id, r.resource_id, r.sub_resource_id, r.vulnerability_id, r.item_count,
               r.file_name, r.file_path, r.start_line, r.end_line, r.recommendation_text,
               r.recommendation_url, p_sync_time, p_sync_time, NULL
        FROM jsonb_to_recordset(v_rows) AS r(
            finding_id text, created_at timestamptz, updated_at timestamptz, title text,
            description text, type text, status text, severity text, generator_id text,
            detector_id text, detector_name text, rule_id text, resource_id text,
            sub_resource_id text, vulnerability_id text, item_count bigint, file_name text,
            file_path text, start_line bigint, end_line bigint, recommendation_text text,
            recommendation_url text)
        -- Skipping what is not newer here, rather than in ON CONFLICT's WHERE alone, also
        -- spares the row lock (and its WAL record) that DO UPDATE takes before its WHERE.
        WHERE NOT EXISTS (SELECT FROM findings AS existing
                          WHERE existing.scan_name = p_scan AND existing.finding_id = r.finding_id
                            AND existing.updated_at >= r.updated_at)
        ON CONFLICT (scan_name, finding_id) DO UPDATE SET
            created_at = EXCLUDED.created_at,
            updated_at = EXCLUDED.updated_at,
            title = EXCLUDED.title,
            description = EXCLUDED.description,
            type = EXCLUDED.type,
            status = EXCLUDED.status,
            severity = EXCLUDED.severity,
            generator_id = EXCLUDED.generator_id,
            detector_id = EXCLUDED.detector_id,
            detector_name = EXCLUDED.detector_name,
            rule_id = EXCLUDED.rule_id,
            resource_id = EXCLUDED.resource_id,
            sub_resource_id = EXCLUDED.sub_resource_id,
            vulnerability_id = EXCLUDED.vulnerability_id,
            item_count = EXCLUDED.item_count,
            file_name = EXCLUDED.file_name,
            file_path = EXCLUDED.file_path,
            start_line = EXCLUDED.start_line,
            end_line = EXCLUDED.end_line,
            recommendation_text = EXCLUDED.recommendation_text,
            recommendation_url = EXCLUDED.recommendation_url,
            last_changed_at = EXCLUDED.last_changed_at,
            missing_since = NULL
        WHERE f.updated_at < EXCLUDED.updated_at
        -- xmax is 0 for a freshly inserted tuple, our xid for one rewritten by DO UPDATE.
        RETURNING f.finding_id, (f.xmax = 0) AS is_new
    )
    SELECT coalesce(array_agg(w.finding_id), '{}'),
           coalesce(array_agg(w.finding_id) FILTER (WHERE NOT w.is_new), '{}'),
           count(*) FILTER (WHERE w.is_new)
    INTO v_written, v_rewritten, v_inserted
    FROM written AS w;

    IF cardinality(v_rewritten) > 0 THEN
        DELETE FROM finding_detector_tags
            WHERE scan_name = p_scan AND finding_id = ANY (v_rewritten);
        DELETE FROM finding_code_lines
            WHERE scan_name = p_scan AND finding_id = ANY (v_rewritten);
        DELETE FROM finding_suggested_fixes
            WHERE scan_name = p_scan AND finding_id = ANY (v_rewritten);
        DELETE FROM finding_reference_urls
            WHERE scan_name = p_scan AND finding_id = ANY (v_rewritten);
        DELETE FROM finding_related_vulnerabilities
            WHERE scan_name = p_scan AND finding_id = ANY (v_rewritten);
    END IF;

    IF cardinality(v_written) > 0 THEN
        INSERT INTO finding_detector_tags (scan_name, finding_id, tag, ordinal)
        SELECT p_scan, e.item ->> 'finding_id', t.tag, t.ordinal
        FROM jsonb_array_elements(v_rows) AS e(item)
        JOIN unnest(v_written) AS w(finding_id) ON w.finding_id = e.item ->> 'finding_id'
        CROSS JOIN LATERAL jsonb_array_elements_text(e.item -> 'detector_tags')
            WITH ORDINALITY AS t(tag, ordinal)
        ON CONFLICT DO NOTHING;

        INSERT INTO finding_code_lines (scan_name, finding_id, line_number, content)
        SELECT p_scan, e.item ->> 'finding_id', c.line_number, c.content
        FROM jsonb_array_elements(v_rows) AS e(item)
        JOIN unnest(v_written) AS w(finding_id) ON w.finding_id = e.item ->> 'finding_id'
        CROSS JOIN LATERAL jsonb_to_recordset(e.item -> 'code_lines')
            AS c(line_number bigint, content text)
        ON CONFLICT DO NOTHING;

        INSERT INTO finding_suggested_fixes (scan_name, finding_id, ordinal, description, code)
        SELECT p_scan, e.item ->> 'finding_id', s.ordinal, s.fix ->> 'description',
               s.fix ->> 'code'
        FROM jsonb_array_elements(v_rows) AS e(item)
        JOIN unnest(v_written) AS w(finding_id) ON w.finding_id = e.item ->> 'finding_id'
        CROSS JOIN LATERAL jsonb_array_elements(e.item -> 'suggested_fixes')
            WITH ORDINALITY AS s(fix, ordinal)
        ON CONFLICT DO NOTHING;

        INSERT INTO finding_reference_urls (scan_name, finding_id, ordinal, url)
        SELECT p_scan, e.item ->> 'finding_id', u.ordinal, u.url
        FROM jsonb_array_elements(v_rows) AS e(item)
        JOIN unnest(v_written) AS w(finding_id) ON w.finding_id = e.item ->> 'finding_id'
        CROSS JOIN LATERAL jsonb_array_elements_text(e.item -> 'reference_urls')
            WITH ORDINALITY AS u(url, ordinal)
        ON CONFLICT DO NOTHING;

        INSERT INTO finding_related_vulnerabilities (scan_name, finding_id, ordinal, related_id)
        SELECT p_scan, e.item ->> 'finding_id', v.ordinal, v.related_id
        FROM jsonb_array_elements(v_rows) AS e(item)
        JOIN unnest(v_written) AS w(finding_id) ON w.finding_id = e.item ->> 'finding_id'
        CROSS JOIN LATERAL jsonb_array_elements_text(e.item -> 'related_vulnerabilities')
            WITH ORDINALITY AS v(related_id, ordinal)
        ON CONFLICT DO NOTHING;

        INSERT INTO finding_versions (scan_name, finding_id, updated_at, status, severity, title,
                                      observed_at)
        SELECT p_scan, r.finding_id, r.updated_at, r.status, r.severity, r.title, p_sync_time
        FROM jsonb_to_recordset(v_rows) AS r(finding_id text, updated_at timestamptz,
                                              status text, severity text, title text)
        JOIN unnest(v_written) AS w(finding_id) USING (finding_id)
        ON CONFLICT DO NOTHING;
    END IF;

    INSERT INTO sync_pass_seen (scan_name, finding_id)
    SELECT p_scan, e.item ->> 'finding_id' FROM jsonb_array_elements(v_rows) AS e(item)
    ON CONFLICT DO NOTHING;

    inserted := v_inserted;
    updated := cardinality(v_rewritten);
    -- Duplicates within the page count as unchanged: they changed nothing.
    unchanged := v_received - inserted - updated;

    UPDATE sync_runs AS s SET
        pages = s.pages + 1,
        findings_seen = s.findings_seen + v_received + p_rejected,
        findings_inserted = s.findings_inserted + inserted,
        findings_updated = s.findings_updated + updated,
        findings_unchanged = s.findings_unchanged + unchanged,
        findings_rejected = s.findings_rejected + p_rejected
    WHERE s.run_id = p_run_id;

    IF p_next_token IS NULL THEN
        -- EXCEPT (hashed or sorted) stays linear however stale the seen-set's statistics.
        UPDATE findings AS f SET missing_since = p_sync_time
        FROM (SELECT finding_id FROM findings
              WHERE scan_name = p_scan AND missing_since IS NULL
              EXCEPT
              SELECT finding_id FROM sync_pass_seen WHERE scan_name = p_scan) AS gone
        WHERE f.scan_name = p_scan AND f.finding_id = gone.finding_id;
        DELETE FROM sync_pass_seen WHERE scan_name = p_scan;
        UPDATE sync_checkpoints SET next_token = NULL, pages_done = 0,
                                    last_completed_at = p_sync_time
        WHERE scan_name = p_scan;
    ELSE
        UPDATE sync_checkpoints SET next_token = p_next_token,
                                    pages_done = v_checkpoint.pages_done + 1
        WHERE scan_name = p_scan;
    END IF;

    RETURN NEXT;
END;
$function$;
