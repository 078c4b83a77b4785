-- codeguru-sync schema, version 10: a sync's page whose findings are all new travels by COPY
-- (issue 14). COPY costs PostgreSQL about a fifth less than apply_findings_page()'s
-- INSERT ... SELECT over the page's arrays for the same rows: it fills whole heap pages
-- and parses no array literals. A scan's first sync is made of such pages.
--
-- claim_new_findings_page() does for such a page all that apply_findings_page() does but
-- write its rows: it checks the checkpoint, confirms that no finding of the page is
-- stored, advances the checkpoint and the pass's seen-set and counts the run. The daemon
-- then COPYs the findings, their children and their versions in the same transaction, so
-- the page still commits whole or not at all (SPEC §7). When any finding of the page is
-- stored the claim changes nothing and answers false, and the daemon applies the page with
-- apply_findings_page() in that transaction instead. The checkpoint's two halves, shared
-- by both, move into lock_page_checkpoint() and advance_page_checkpoint(). SPEC §5, §7.
-- Runs with search_path set to the configured schema: no object here names a schema.

-- Locks the scan's checkpoint for a sync's page and checks that it is where run p_run_id
-- expects it: stale (CG001) otherwise. An import of the scan holds an advisory lock for its
-- whole file: the page waits for it, even when the scan had no checkpoint row for the
-- import to lock (its first sync). Returns the pages the pass has applied so far.
CREATE FUNCTION lock_page_checkpoint(p_scan text, p_run_id bigint, p_expected_token text)
RETURNS bigint
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_checkpoint sync_checkpoints%ROWTYPE;
BEGIN
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
    RETURN v_checkpoint.pages_done;
END;
$function$;

-- Moves the locked checkpoint past a page whose ids are p_finding_id. A page with a next
-- token joins the pass's seen-set. The last page (p_next_token NULL) ends the pass: the
-- scan's findings that neither the seen-set nor this page holds get missing_since; the
-- page's own ids count without being stored. EXCEPT (hashed or sorted) stays linear however
-- stale the statistics, and a finding that moved and came twice in the pass is simply seen.
CREATE FUNCTION advance_page_checkpoint(p_scan text, p_pages_done bigint, p_next_token text,
                                        p_sync_time timestamptz, p_finding_id text[])
RETURNS void
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
BEGIN
    IF p_next_token IS NULL THEN
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
        VALUES ('codeguru', p_scan, p_pages_done + 1, p_finding_id);
        UPDATE sync_checkpoints SET next_token = p_next_token, pages_done = p_pages_done + 1
        WHERE source = 'codeguru' AND scan_name = p_scan;
    END IF;
END;
$function$;

-- A sync's page: version 9's function, its checkpoint steps now the two functions above.
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
    v_pages_done bigint;
BEGIN
    v_pages_done := lock_page_checkpoint(p_scan, p_run_id, p_expected_token);
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
    PERFORM advance_page_checkpoint(p_scan, v_pages_done, p_next_token, p_sync_time,
                                    p_finding_id);
    RETURN NEXT;
END;
$function$;

-- Claims a sync's page whose findings, p_finding_id (the page deduplicated, as
-- apply_findings_page() takes it), may all be new: when none of them is stored, the
-- checkpoint moves past the page, the run counts them inserted (and the page's repeated
-- ids unchanged, its findings without an id rejected), and true is returned; the caller
-- then writes the findings, their children and their versions in this transaction. When
-- any of them is stored, nothing changes and false is returned. Stale (CG001) as
-- apply_findings_page().
CREATE FUNCTION claim_new_findings_page(p_scan text, p_run_id bigint, p_expected_token text,
                                        p_next_token text, p_sync_time timestamptz,
                                        p_rejected integer, p_duplicates integer,
                                        p_finding_id text[])
RETURNS boolean
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_pages_done bigint;
    v_count      integer := coalesce(cardinality(p_finding_id), 0);
BEGIN
    v_pages_done := lock_page_checkpoint(p_scan, p_run_id, p_expected_token);
    IF EXISTS (SELECT 1 FROM findings
               WHERE scan_name = p_scan AND finding_id = ANY (p_finding_id)) THEN
        RETURN false;
    END IF;
    PERFORM advance_page_checkpoint(p_scan, v_pages_done, p_next_token, p_sync_time,
                                    p_finding_id);
    UPDATE sync_runs AS s SET
        pages = s.pages + 1,
        findings_seen = s.findings_seen + v_count + p_duplicates + p_rejected,
        findings_inserted = s.findings_inserted + v_count,
        findings_unchanged = s.findings_unchanged + p_duplicates,
        findings_rejected = s.findings_rejected + p_rejected
    WHERE s.run_id = p_run_id;
    RETURN true;
END;
$function$;
