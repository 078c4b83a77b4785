-- codeguru-sync schema, version 9: importing CodeGuru Security exports (--import, issue 16).
-- The upsert rules of a findings page move, unchanged, into one function,
-- upsert_findings_page(), which both a sync's pages (apply_findings_page: the checkpoint
-- checked and advanced) and an import's pages (after start_import: the checkpoint left
-- alone) call. SPEC §5.
-- Runs with search_path set to the configured schema: no object here names a schema.

-- What a run read, for runs that say more than their scan: an import's file.
ALTER TABLE sync_runs ADD COLUMN detail text;

-- A findings page's upsert (the rules of version 3): findings inserted, or rewritten when
-- their updatedAt is newer, with their children replaced and a version each; missing_since
-- cleared for what is seen again; the run's counters advanced. REQUIRES: the caller
-- serializes the scan's pages (a sync by its checkpoint row, an import by its locks).
CREATE FUNCTION upsert_findings_page(
    p_scan                text,
    p_run_id              bigint,
    p_sync_time           timestamptz,
    p_rejected            integer,  -- findings without an id, left out of the arrays
    p_duplicates          integer,  -- repeated ids in the page, left out of the arrays
    p_finding_id          text[],
    p_created_at          text,  -- timestamptz[]
    p_updated_at          timestamptz[],
    p_title               text,  -- text[]
    p_description         text,  -- text[]
    p_type                text,  -- text[]
    p_status              text,  -- text[]
    p_severity            text,  -- text[]
    p_generator_id        text,  -- text[]
    p_detector_id         text,  -- text[]
    p_detector_name       text,  -- text[]
    p_rule_id             text,  -- text[]
    p_resource_id         text,  -- text[]
    p_sub_resource_id     text,  -- text[]
    p_vulnerability_id    text,  -- text[]
    p_item_count          text,  -- bigint[]
    p_file_name           text,  -- text[]
    p_file_path           text,  -- text[]
    p_start_line          text,  -- bigint[]
    p_end_line            text,  -- bigint[]
    p_recommendation_text text,  -- text[]
    p_recommendation_url  text,  -- text[]
    p_tag_finding         text,  -- integer[]
    p_tag                 text,  -- text[]
    p_tag_ordinal         text,  -- bigint[]
    p_line_finding        text,  -- integer[]
    p_line_number         text,  -- bigint[]
    p_line_content        text,  -- text[]
    p_fix_finding         text,  -- integer[]
    p_fix_ordinal         text,  -- bigint[]
    p_fix_description     text,  -- text[]
    p_fix_code            text,  -- text[]
    p_url_finding         text,  -- integer[]
    p_url_ordinal         text,  -- bigint[]
    p_url                 text,  -- text[]
    p_related_finding     text,  -- integer[]
    p_related_ordinal     text,  -- bigint[]
    p_related_id          text)  -- text[]
RETURNS TABLE (inserted integer, updated integer, unchanged integer)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_count      integer := coalesce(cardinality(p_finding_id), 0);
    -- By position in the page: the finding is not stored yet / stored with an older
    -- updated_at. Children and versions are written for exactly these.
    v_new        boolean[];
    v_newer      boolean[];
    v_write      boolean[];
    v_newer_ids  text[];  -- stored findings to rewrite (their children are replaced)
    v_back_ids   text[];  -- stored, not newer, missing_since set: only that is cleared
BEGIN
    -- One primary-key probe per finding classifies the whole page.
    SELECT coalesce(array_agg(f.finding_id IS NULL ORDER BY r.pos), '{}'),
           coalesce(array_agg(coalesce(f.updated_at < r.updated_at, false) ORDER BY r.pos),
                    '{}'),
           coalesce(array_agg(r.finding_id) FILTER (WHERE f.updated_at < r.updated_at), '{}'),
           coalesce(array_agg(r.finding_id) FILTER (WHERE f.updated_at >= r.updated_at
                                                      AND f.missing_since IS NOT NULL), '{}'),
           count(*) FILTER (WHERE f.finding_id IS NULL),
           coalesce(array_agg(f.finding_id IS NULL OR f.updated_at < r.updated_at
                              ORDER BY r.pos), '{}')
    INTO v_new, v_newer, v_newer_ids, v_back_ids, inserted, v_write
    FROM unnest(p_finding_id, p_updated_at) WITH ORDINALITY AS r(finding_id, updated_at, pos)
    LEFT JOIN findings AS f ON f.scan_name = p_scan AND f.finding_id = r.finding_id;

    updated := cardinality(v_newer_ids);
    -- Repeated ids within the page count as unchanged: they changed nothing.
    unchanged := v_count - inserted - updated + p_duplicates;

    IF cardinality(v_back_ids) > 0 THEN
        UPDATE findings SET missing_since = NULL
        WHERE scan_name = p_scan AND finding_id = ANY (v_back_ids);
    END IF;

    IF inserted > 0 THEN
        INSERT INTO findings (
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
        FROM unnest(p_finding_id, p_created_at::timestamptz[], p_updated_at, p_title::text[],
                    p_description::text[], p_type::text[], p_status::text[], p_severity::text[],
                    p_generator_id::text[], p_detector_id::text[], p_detector_name::text[],
                    p_rule_id::text[], p_resource_id::text[], p_sub_resource_id::text[],
                    p_vulnerability_id::text[], p_item_count::bigint[], p_file_name::text[],
                    p_file_path::text[], p_start_line::bigint[], p_end_line::bigint[],
                    p_recommendation_text::text[], p_recommendation_url::text[])
            WITH ORDINALITY AS r(
            finding_id, created_at, updated_at, title, description, type, status, severity,
            generator_id, detector_id, detector_name, rule_id, resource_id, sub_resource_id,
            vulnerability_id, item_count, file_name, file_path, start_line, end_line,
            recommendation_text, recommendation_url, pos)
        WHERE v_new[r.pos];
    END IF;

    IF updated > 0 THEN
        UPDATE findings AS f SET
            created_at = r.created_at,
            updated_at = r.updated_at,
            title = r.title,
            description = r.description,
            type = r.type,
            status = r.status,
            severity = r.severity,
            generator_id = r.generator_id,
            detector_id = r.detector_id,
            detector_name = r.detector_name,
            rule_id = r.rule_id,
            resource_id = r.resource_id,
            sub_resource_id = r.sub_resource_id,
            vulnerability_id = r.vulnerability_id,
            item_count = r.item_count,
            file_name = r.file_name,
            file_path = r.file_path,
            start_line = r.start_line,
            end_line = r.end_line,
            recommendation_text = r.recommendation_text,
            recommendation_url = r.recommendation_url,
            last_changed_at = p_sync_time,
            missing_since = NULL
        FROM unnest(p_finding_id, p_created_at::timestamptz[], p_updated_at, p_title::text[],
                    p_description::text[], p_type::text[], p_status::text[], p_severity::text[],
                    p_generator_id::text[], p_detector_id::text[], p_detector_name::text[],
                    p_rule_id::text[], p_resource_id::text[], p_sub_resource_id::text[],
                    p_vulnerability_id::text[], p_item_count::bigint[], p_file_name::text[],
                    p_file_path::text[], p_start_line::bigint[], p_end_line::bigint[],
                    p_recommendation_text::text[], p_recommendation_url::text[])
            WITH ORDINALITY AS r(
            finding_id, created_at, updated_at, title, description, type, status, severity,
            generator_id, detector_id, detector_name, rule_id, resource_id, sub_resource_id,
            vulnerability_id, item_count, file_name, file_path, start_line, end_line,
            recommendation_text, recommendation_url, pos)
        WHERE v_newer[r.pos] AND f.scan_name = p_scan AND f.finding_id = r.finding_id;

        DELETE FROM finding_detector_tags
            WHERE scan_name = p_scan AND finding_id = ANY (v_newer_ids);
        DELETE FROM finding_code_lines
            WHERE scan_name = p_scan AND finding_id = ANY (v_newer_ids);
        DELETE FROM finding_suggested_fixes
            WHERE scan_name = p_scan AND finding_id = ANY (v_newer_ids);
        DELETE FROM finding_reference_urls
            WHERE scan_name = p_scan AND finding_id = ANY (v_newer_ids);
        DELETE FROM finding_related_vulnerabilities
            WHERE scan_name = p_scan AND finding_id = ANY (v_newer_ids);
    END IF;

    -- Children and versions of what was inserted or rewritten: plain inserts, because
    -- nothing of these findings is left to conflict with (the callers serialize a scan's
    -- pages, and the daemon deduplicated the page).
    IF inserted + updated > 0 THEN
        INSERT INTO finding_detector_tags (scan_name, finding_id, tag, ordinal)
        SELECT p_scan, p_finding_id[c.pos], c.tag, c.ordinal
        FROM unnest(p_tag_finding::integer[], p_tag::text[], p_tag_ordinal::bigint[])
            AS c(pos, tag, ordinal)
        WHERE v_write[c.pos];

        INSERT INTO finding_code_lines (scan_name, finding_id, line_number, content)
        SELECT p_scan, p_finding_id[c.pos], c.line_number, c.content
        FROM unnest(p_line_finding::integer[], p_line_number::bigint[], p_line_content::text[])
            AS c(pos, line_number, content)
        WHERE v_write[c.pos];

        INSERT INTO finding_suggested_fixes (scan_name, finding_id, ordinal, description, code)
        SELECT p_scan, p_finding_id[c.pos], c.ordinal, c.description, c.code
        FROM unnest(p_fix_finding::integer[], p_fix_ordinal::bigint[], p_fix_description::text[],
                    p_fix_code::text[])
            AS c(pos, ordinal, description, code)
        WHERE v_write[c.pos];

        INSERT INTO finding_reference_urls (scan_name, finding_id, ordinal, url)
        SELECT p_scan, p_finding_id[c.pos], c.ordinal, c.url
        FROM unnest(p_url_finding::integer[], p_url_ordinal::bigint[], p_url::text[])
            AS c(pos, ordinal, url)
        WHERE v_write[c.pos];

        INSERT INTO finding_related_vulnerabilities (scan_name, finding_id, ordinal, related_id)
        SELECT p_scan, p_finding_id[c.pos], c.ordinal, c.related_id
        FROM unnest(p_related_finding::integer[], p_related_ordinal::bigint[], p_related_id::text[])
            AS c(pos, ordinal, related_id)
        WHERE v_write[c.pos];

        -- Cannot conflict either: a stored updated_at only grows, and a deleted finding
        -- takes its versions with it.
        INSERT INTO finding_versions (scan_name, finding_id, updated_at, status, severity,
                                      title, observed_at)
        SELECT p_scan, r.finding_id, r.updated_at, r.status, r.severity, r.title, p_sync_time
        FROM unnest(p_finding_id, p_updated_at, p_status::text[], p_severity::text[],
                    p_title::text[])
            WITH ORDINALITY AS r(finding_id, updated_at, status, severity, title, pos)
        WHERE v_write[r.pos];
    END IF;

    UPDATE sync_runs AS s SET
        pages = s.pages + 1,
        findings_seen = s.findings_seen + v_count + p_duplicates + p_rejected,
        findings_inserted = s.findings_inserted + inserted,
        findings_updated = s.findings_updated + updated,
        findings_unchanged = s.findings_unchanged + unchanged,
        findings_rejected = s.findings_rejected + p_rejected
    WHERE s.run_id = p_run_id;

    RETURN NEXT;
END;
$function$;

-- A sync's page: version 5's function, its upsert now upsert_findings_page().
CREATE OR REPLACE FUNCTION apply_findings_page(
    p_scan                text,
    p_run_id              bigint,
    p_expected_token      text,
    p_next_token          text,
    p_sync_time           timestamptz,
    p_rejected            integer,  -- findings without an id, left out of the arrays
    p_duplicates          integer,  -- repeated ids in the page, left out of the arrays
    p_finding_id          text[],
    p_created_at          text,  -- timestamptz[]
    p_updated_at          timestamptz[],
    p_title               text,  -- text[]
    p_description         text,  -- text[]
    p_type                text,  -- text[]
    p_status              text,  -- text[]
    p_severity            text,  -- text[]
    p_generator_id        text,  -- text[]
    p_detector_id         text,  -- text[]
    p_detector_name       text,  -- text[]
    p_rule_id             text,  -- text[]
    p_resource_id         text,  -- text[]
    p_sub_resource_id     text,  -- text[]
    p_vulnerability_id    text,  -- text[]
    p_item_count          text,  -- bigint[]
    p_file_name           text,  -- text[]
    p_file_path           text,  -- text[]
    p_start_line          text,  -- bigint[]
    p_end_line            text,  -- bigint[]
    p_recommendation_text text,  -- text[]
    p_recommendation_url  text,  -- text[]
    p_tag_finding         text,  -- integer[]
    p_tag                 text,  -- text[]
    p_tag_ordinal         text,  -- bigint[]
    p_line_finding        text,  -- integer[]
    p_line_number         text,  -- bigint[]
    p_line_content        text,  -- text[]
    p_fix_finding         text,  -- integer[]
    p_fix_ordinal         text,  -- bigint[]
    p_fix_description     text,  -- text[]
    p_fix_code            text,  -- text[]
    p_url_finding         text,  -- integer[]
    p_url_ordinal         text,  -- bigint[]
    p_url                 text,  -- text[]
    p_related_finding     text,  -- integer[]
    p_related_ordinal     text,  -- bigint[]
    p_related_id          text)  -- text[]
RETURNS TABLE (inserted integer, updated integer, unchanged integer)
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_checkpoint sync_checkpoints%ROWTYPE;
BEGIN
    -- An import of the scan holds this lock for its whole file: the page waits for it, even
    -- when the scan had no checkpoint row for the import to lock (its first sync).
    PERFORM pg_advisory_xact_lock(hashtextextended('codeguru-sync import ' || p_scan, 0));
    SELECT * INTO v_checkpoint FROM sync_checkpoints
    WHERE source = 'codeguru' AND scan_name = p_scan FOR UPDATE;
    IF NOT FOUND
       OR v_checkpoint.run_id IS DISTINCT FROM p_run_id
       OR v_checkpoint.next_token IS DISTINCT FROM p_expected_token THEN
        RAISE EXCEPTION 'stale page for scan %: the checkpoint is not where run % expects it',
                        p_scan, p_run_id
            USING ERRCODE = 'CG001',
                  DETAIL = 'The page was applied already or another run owns the checkpoint.';
    END IF;

    SELECT u.inserted, u.updated, u.unchanged INTO inserted, updated, unchanged
    FROM upsert_findings_page(
        p_scan, p_run_id, p_sync_time, p_rejected, p_duplicates, p_finding_id,
        p_created_at, p_updated_at, p_title, p_description, p_type, p_status,
        p_severity, p_generator_id, p_detector_id, p_detector_name, p_rule_id,
        p_resource_id, p_sub_resource_id, p_vulnerability_id, p_item_count, p_file_name,
        p_file_path, p_start_line, p_end_line, p_recommendation_text,
        p_recommendation_url, p_tag_finding, p_tag, p_tag_ordinal, p_line_finding,
        p_line_number, p_line_content, p_fix_finding, p_fix_ordinal, p_fix_description,
        p_fix_code, p_url_finding, p_url_ordinal, p_url, p_related_finding,
        p_related_ordinal, p_related_id) AS u;

    IF p_next_token IS NULL THEN
        -- The last page's ids count without being stored. EXCEPT (hashed or sorted) stays
        -- linear however stale the statistics, and a finding that moved and came twice
        -- in the pass is simply seen.
        UPDATE findings AS f SET missing_since = p_sync_time
        FROM (SELECT finding_id FROM findings
              WHERE scan_name = p_scan AND missing_since IS NULL
              EXCEPT
              SELECT unnest(finding_ids) FROM sync_pass_seen
              WHERE source = 'codeguru' AND scan_name = p_scan
              EXCEPT
              SELECT unnest(p_finding_id)) AS gone
        WHERE f.scan_name = p_scan AND f.finding_id = gone.finding_id;
        DELETE FROM sync_pass_seen WHERE source = 'codeguru' AND scan_name = p_scan;
        UPDATE sync_checkpoints SET next_token = NULL, pages_done = 0,
                                    last_completed_at = p_sync_time
        WHERE source = 'codeguru' AND scan_name = p_scan;
    ELSE
        INSERT INTO sync_pass_seen (source, scan_name, page_number, finding_ids)
        VALUES ('codeguru', p_scan, v_checkpoint.pages_done + 1, p_finding_id);
        UPDATE sync_checkpoints SET next_token = p_next_token,
                                    pages_done = v_checkpoint.pages_done + 1
        WHERE source = 'codeguru' AND scan_name = p_scan;
    END IF;

    RETURN NEXT;
END;
$function$;

-- An imported page's ids, for a --complete import, in the transaction that imports its file
-- (start_import() took the scan's locks): they join the import's seen-set (the 'import'
-- rows of sync_pass_seen, which finish_import() consumes). An import that is not complete
-- keeps no seen-set.
CREATE FUNCTION import_page_seen(p_scan text, p_finding_id text[])
RETURNS void
LANGUAGE sql
SET search_path FROM CURRENT
AS $function$
    INSERT INTO sync_pass_seen (source, scan_name, page_number, finding_ids)
    SELECT 'import', p_scan, coalesce(max(page_number), 0) + 1, p_finding_id
    FROM sync_pass_seen WHERE source = 'import' AND scan_name = p_scan;
$function$;

-- Ends an import's file, in its transaction. An import's seen-set (its 'import' rows of
-- sync_pass_seen) spans the files of one --complete import, which commit one by one:
-- p_last is false for all but the last of them, and keeps it for the next. With p_last:
-- when p_complete (the files held the scan's whole result), the scan's findings that none
-- of them held get missing_since = p_sync_time, as after a sync's complete pass; then the
-- seen-set is cleared. Returns how many were marked.
CREATE FUNCTION finish_import(p_scan text, p_sync_time timestamptz, p_complete boolean,
                              p_last boolean)
RETURNS integer
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_marked integer := 0;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('codeguru-sync import ' || p_scan, 0));
    IF NOT p_last THEN
        RETURN 0;
    END IF;
    IF p_complete THEN
        UPDATE findings AS f SET missing_since = p_sync_time
        FROM (SELECT finding_id FROM findings
              WHERE scan_name = p_scan AND missing_since IS NULL
              EXCEPT
              SELECT unnest(finding_ids) FROM sync_pass_seen
              WHERE source = 'import' AND scan_name = p_scan) AS gone
        WHERE f.scan_name = p_scan AND f.finding_id = gone.finding_id;
        GET DIAGNOSTICS v_marked = ROW_COUNT;
    END IF;
    DELETE FROM sync_pass_seen WHERE source = 'import' AND scan_name = p_scan;
    RETURN v_marked;
END;
$function$;

-- Starts an import's file, in its transaction, before its pages: the scan's checkpoint row
-- is locked (not changed), and imports of the scan and a sync's pages of it wait for each
-- other on an advisory lock (apply_findings_page takes it too), both held to the end of the
-- file's transaction: the upsert's plain inserts rely on that. With p_new_set (the first
-- file of an import), what an import that failed part way left of its seen-set (the files
-- of a --complete import before the one that failed) is dropped.
CREATE FUNCTION start_import(p_scan text, p_new_set boolean)
RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
BEGIN
    PERFORM pg_advisory_xact_lock(hashtextextended('codeguru-sync import ' || p_scan, 0));
    PERFORM 1 FROM sync_checkpoints
    WHERE source = 'codeguru' AND scan_name = p_scan FOR UPDATE;
    IF p_new_set THEN
        DELETE FROM sync_pass_seen WHERE source = 'import' AND scan_name = p_scan;
    END IF;
END;
$function$;
