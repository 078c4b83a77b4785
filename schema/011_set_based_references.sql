-- codeguru-sync schema, version 11: the child tables' references to their findings are
-- checked once per statement instead of once per row (issue 14).
--
-- A foreign key checks each inserted row on its own: one SELECT ... FOR KEY SHARE of the
-- parent per child row, run through the executor from scratch every time. A first sync
-- writes about 13 child and version rows per finding, and those checks were half of all
-- the CPU the machine spent on it (perf, 5 scans x 10,000 findings). The same guarantees
-- are kept here by statement-level triggers over each statement's transition table: every
-- distinct parent of the statement's rows is looked up and locked FOR KEY SHARE in one
-- query, exactly as the foreign key locked it, so a parent deleted concurrently either
-- waits for the child's transaction or makes the child's statement fail.
--
-- What each foreign key did, and what does it now:
--   a child row whose finding does not exist     -> the child's statement fails, SQLSTATE
--     (INSERT, or UPDATE of a child row)            23503 (foreign_key_violation), naming
--                                                   the table and the missing key
--   DELETE of a finding (ON DELETE CASCADE)      -> its child rows are deleted with it
--   changing a finding's key while rows refer to -> fails, 23503
--     the old one (NO ACTION)
--   TRUNCATE of the findings table               -> empties its child tables too (the foreign
--                                                   key refused a TRUNCATE without CASCADE)
-- Runs with search_path set to the configured schema: no object here names a schema.

-- The foreign keys go: their per-row triggers are the cost.
DO $migration$
DECLARE
    v_key record;
BEGIN
    FOR v_key IN
        SELECT c.conrelid::regclass AS child, c.conname
        FROM pg_constraint c
        WHERE c.contype = 'f'
          AND c.confrelid IN ('findings'::regclass, 'inspector_findings'::regclass)
    LOOP
        EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', v_key.child, v_key.conname);
    END LOOP;
END;
$migration$;

-- AFTER INSERT or UPDATE, FOR EACH STATEMENT, on a CodeGuru child table: every finding the
-- statement's rows (new_rows) refer to exists, and is locked FOR KEY SHARE until the end of
-- the transaction, as a foreign key would lock it.
CREATE FUNCTION check_finding_references()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_missing record;
BEGIN
    SELECT n.scan_name, n.finding_id INTO v_missing
    FROM (SELECT DISTINCT scan_name, finding_id FROM new_rows) AS n
    LEFT JOIN LATERAL (SELECT true AS found FROM findings AS f
                       WHERE f.scan_name = n.scan_name AND f.finding_id = n.finding_id
                       FOR KEY SHARE) AS p ON true
    WHERE p.found IS NULL
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" violates its reference to table "findings"',
                        TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (scan_name, finding_id)=(%s, %s) is not present in table "findings".',
                                  v_missing.scan_name, v_missing.finding_id),
                  SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END;
$function$;

-- The same for an Inspector child table and inspector_findings.
CREATE FUNCTION check_inspector_finding_references()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_missing text;
BEGIN
    SELECT n.finding_arn INTO v_missing
    FROM (SELECT DISTINCT finding_arn FROM new_rows) AS n
    LEFT JOIN LATERAL (SELECT true AS found FROM inspector_findings AS f
                       WHERE f.finding_arn = n.finding_arn
                       FOR KEY SHARE) AS p ON true
    WHERE p.found IS NULL
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "%" violates its reference to table "inspector_findings"',
                        TG_TABLE_NAME
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (finding_arn)=(%s) is not present in table "inspector_findings".',
                                  v_missing),
                  SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END;
$function$;

-- AFTER DELETE, FOR EACH STATEMENT, on findings: the deleted findings' child rows go too.
CREATE FUNCTION delete_finding_children()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
BEGIN
    DELETE FROM finding_versions AS c USING old_rows AS o
    WHERE c.scan_name = o.scan_name AND c.finding_id = o.finding_id;
    DELETE FROM finding_detector_tags AS c USING old_rows AS o
    WHERE c.scan_name = o.scan_name AND c.finding_id = o.finding_id;
    DELETE FROM finding_code_lines AS c USING old_rows AS o
    WHERE c.scan_name = o.scan_name AND c.finding_id = o.finding_id;
    DELETE FROM finding_suggested_fixes AS c USING old_rows AS o
    WHERE c.scan_name = o.scan_name AND c.finding_id = o.finding_id;
    DELETE FROM finding_reference_urls AS c USING old_rows AS o
    WHERE c.scan_name = o.scan_name AND c.finding_id = o.finding_id;
    DELETE FROM finding_related_vulnerabilities AS c USING old_rows AS o
    WHERE c.scan_name = o.scan_name AND c.finding_id = o.finding_id;
    RETURN NULL;
END;
$function$;

-- The same for inspector_findings.
CREATE FUNCTION delete_inspector_finding_children()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
BEGIN
    DELETE FROM inspector_finding_versions AS c USING old_rows AS o
    WHERE c.finding_arn = o.finding_arn;
    DELETE FROM inspector_finding_resources AS c USING old_rows AS o
    WHERE c.finding_arn = o.finding_arn;
    DELETE FROM inspector_finding_cwes AS c USING old_rows AS o
    WHERE c.finding_arn = o.finding_arn;
    DELETE FROM inspector_finding_detector_tags AS c USING old_rows AS o
    WHERE c.finding_arn = o.finding_arn;
    DELETE FROM inspector_finding_reference_urls AS c USING old_rows AS o
    WHERE c.finding_arn = o.finding_arn;
    DELETE FROM inspector_finding_related_vulnerabilities AS c USING old_rows AS o
    WHERE c.finding_arn = o.finding_arn;
    DELETE FROM inspector_finding_packages AS c USING old_rows AS o
    WHERE c.finding_arn = o.finding_arn;
    DELETE FROM inspector_finding_cvss AS c USING old_rows AS o
    WHERE c.finding_arn = o.finding_arn;
    DELETE FROM inspector_finding_network_path AS c USING old_rows AS o
    WHERE c.finding_arn = o.finding_arn;
    DELETE FROM inspector_finding_code_lines AS c USING old_rows AS o
    WHERE c.finding_arn = o.finding_arn;
    DELETE FROM inspector_finding_suggested_fixes AS c USING old_rows AS o
    WHERE c.finding_arn = o.finding_arn;
    RETURN NULL;
END;
$function$;

-- AFTER TRUNCATE on findings: its child tables are emptied in the same transaction.
CREATE FUNCTION truncate_finding_children()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
BEGIN
    TRUNCATE finding_versions, finding_detector_tags, finding_code_lines,
             finding_suggested_fixes, finding_reference_urls, finding_related_vulnerabilities;
    RETURN NULL;
END;
$function$;

CREATE FUNCTION truncate_inspector_finding_children()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
BEGIN
    TRUNCATE inspector_finding_versions, inspector_finding_resources, inspector_finding_cwes,
             inspector_finding_detector_tags, inspector_finding_reference_urls,
             inspector_finding_related_vulnerabilities, inspector_finding_packages,
             inspector_finding_cvss, inspector_finding_network_path,
             inspector_finding_code_lines, inspector_finding_suggested_fixes;
    RETURN NULL;
END;
$function$;

-- AFTER UPDATE OF its key, FOR EACH ROW, on findings, when the key changed: no child row
-- may still refer to the old key (unless another finding now has it), as NO ACTION.
CREATE FUNCTION refuse_referenced_finding_key_change()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM findings
                   WHERE scan_name = OLD.scan_name AND finding_id = OLD.finding_id)
       AND (EXISTS (SELECT 1 FROM finding_versions
                    WHERE scan_name = OLD.scan_name AND finding_id = OLD.finding_id)
            OR EXISTS (SELECT 1 FROM finding_detector_tags
                       WHERE scan_name = OLD.scan_name AND finding_id = OLD.finding_id)
            OR EXISTS (SELECT 1 FROM finding_code_lines
                       WHERE scan_name = OLD.scan_name AND finding_id = OLD.finding_id)
            OR EXISTS (SELECT 1 FROM finding_suggested_fixes
                       WHERE scan_name = OLD.scan_name AND finding_id = OLD.finding_id)
            OR EXISTS (SELECT 1 FROM finding_reference_urls
                       WHERE scan_name = OLD.scan_name AND finding_id = OLD.finding_id)
            OR EXISTS (SELECT 1 FROM finding_related_vulnerabilities
                       WHERE scan_name = OLD.scan_name AND finding_id = OLD.finding_id)) THEN
        RAISE EXCEPTION 'update on table "findings" leaves rows referring to its old key'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (scan_name, finding_id)=(%s, %s) is still referenced.',
                                  OLD.scan_name, OLD.finding_id),
                  SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END;
$function$;

CREATE FUNCTION refuse_referenced_inspector_finding_key_change()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM inspector_findings WHERE finding_arn = OLD.finding_arn)
       AND (EXISTS (SELECT 1 FROM inspector_finding_versions WHERE finding_arn = OLD.finding_arn)
            OR EXISTS (SELECT 1 FROM inspector_finding_resources
                       WHERE finding_arn = OLD.finding_arn)
            OR EXISTS (SELECT 1 FROM inspector_finding_cwes WHERE finding_arn = OLD.finding_arn)
            OR EXISTS (SELECT 1 FROM inspector_finding_detector_tags
                       WHERE finding_arn = OLD.finding_arn)
            OR EXISTS (SELECT 1 FROM inspector_finding_reference_urls
                       WHERE finding_arn = OLD.finding_arn)
            OR EXISTS (SELECT 1 FROM inspector_finding_related_vulnerabilities
                       WHERE finding_arn = OLD.finding_arn)
            OR EXISTS (SELECT 1 FROM inspector_finding_packages
                       WHERE finding_arn = OLD.finding_arn)
            OR EXISTS (SELECT 1 FROM inspector_finding_cvss WHERE finding_arn = OLD.finding_arn)
            OR EXISTS (SELECT 1 FROM inspector_finding_network_path
                       WHERE finding_arn = OLD.finding_arn)
            OR EXISTS (SELECT 1 FROM inspector_finding_code_lines
                       WHERE finding_arn = OLD.finding_arn)
            OR EXISTS (SELECT 1 FROM inspector_finding_suggested_fixes
                       WHERE finding_arn = OLD.finding_arn)) THEN
        RAISE EXCEPTION 'update on table "inspector_findings" leaves rows referring to its old key'
            USING ERRCODE = 'foreign_key_violation',
                  DETAIL = format('Key (finding_arn)=(%s) is still referenced.', OLD.finding_arn),
                  SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
    END IF;
    RETURN NULL;
END;
$function$;

-- The triggers. A trigger with a transition table serves one event, hence one for INSERT
-- and one for UPDATE on each child table.
DO $migration$
DECLARE
    v_child text;
    v_check text;
BEGIN
    FOR v_child, v_check IN
        SELECT unnest(ARRAY['finding_versions', 'finding_detector_tags', 'finding_code_lines',
                            'finding_suggested_fixes', 'finding_reference_urls',
                            'finding_related_vulnerabilities']),
               'check_finding_references'
        UNION ALL
        SELECT unnest(ARRAY['inspector_finding_versions', 'inspector_finding_resources',
                            'inspector_finding_cwes', 'inspector_finding_detector_tags',
                            'inspector_finding_reference_urls',
                            'inspector_finding_related_vulnerabilities',
                            'inspector_finding_packages', 'inspector_finding_cvss',
                            'inspector_finding_network_path', 'inspector_finding_code_lines',
                            'inspector_finding_suggested_fixes']),
               'check_inspector_finding_references'
    LOOP
        EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                       v_child || '_reference_insert', v_child, v_check);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS new_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                       v_child || '_reference_update', v_child, v_check);
    END LOOP;
END;
$migration$;

CREATE TRIGGER findings_delete_children AFTER DELETE ON findings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION delete_finding_children();
CREATE TRIGGER findings_truncate_children AFTER TRUNCATE ON findings
    FOR EACH STATEMENT EXECUTE FUNCTION truncate_finding_children();
CREATE TRIGGER findings_key_change AFTER UPDATE OF scan_name, finding_id ON findings
    FOR EACH ROW
    WHEN (OLD.scan_name IS DISTINCT FROM NEW.scan_name
          OR OLD.finding_id IS DISTINCT FROM NEW.finding_id)
    EXECUTE FUNCTION refuse_referenced_finding_key_change();

CREATE TRIGGER inspector_findings_delete_children AFTER DELETE ON inspector_findings
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT
    EXECUTE FUNCTION delete_inspector_finding_children();
CREATE TRIGGER inspector_findings_truncate_children AFTER TRUNCATE ON inspector_findings
    FOR EACH STATEMENT EXECUTE FUNCTION truncate_inspector_finding_children();
CREATE TRIGGER inspector_findings_key_change AFTER UPDATE OF finding_arn ON inspector_findings
    FOR EACH ROW
    WHEN (OLD.finding_arn IS DISTINCT FROM NEW.finding_arn)
    EXECUTE FUNCTION refuse_referenced_inspector_finding_key_change();
