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

-- The parents' side, one function per duty for both findings tables: each trigger is
-- given its table's key columns ('scan_name,finding_id' or 'finding_arn') and then the
-- names of its child tables as arguments (TG_ARGV), so that the lists are written once,
-- where the triggers are created. Findings are deleted or renamed by hand, never by the
-- daemon, so these statements are built when they run.

-- `prefix.k1 = other.k1 AND ...` for the key columns `p_key` ('a,b').
CREATE FUNCTION key_match(p_key text, p_prefix text, p_other text)
RETURNS text
LANGUAGE sql
IMMUTABLE
AS $function$
    SELECT string_agg(format('%I.%I = %s.%I', p_prefix, k, p_other, k), ' AND ')
    FROM unnest(string_to_array(p_key, ',')) AS k
$function$;

-- AFTER DELETE, FOR EACH STATEMENT, on a findings table: the deleted findings' child rows
-- go too.
CREATE FUNCTION delete_children()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_child text;
BEGIN
    FOREACH v_child IN ARRAY TG_ARGV[1:] LOOP
        EXECUTE format('DELETE FROM %I AS c USING old_rows AS o WHERE %s', v_child,
                       key_match(TG_ARGV[0], 'c', 'o'));
    END LOOP;
    RETURN NULL;
END;
$function$;

-- AFTER TRUNCATE of a findings table: its child tables are emptied in the same transaction.
CREATE FUNCTION truncate_children()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
BEGIN
    EXECUTE 'TRUNCATE ' || (SELECT string_agg(quote_ident(c), ', ') FROM unnest(TG_ARGV[1:]) AS c);
    RETURN NULL;
END;
$function$;

-- AFTER UPDATE OF its key, FOR EACH ROW, on a findings table, when the key changed: no
-- child row may still refer to the old key (unless another finding now has it), as NO
-- ACTION.
CREATE FUNCTION refuse_referenced_key_change()
RETURNS trigger
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_table      text;
    v_referenced boolean;
BEGIN
    -- The old row is $1: `c.k = ($1).k` for each key column.
    FOREACH v_table IN ARRAY TG_TABLE_NAME::text || TG_ARGV[1:] LOOP
        EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I AS c WHERE %s)', v_table,
                       key_match(TG_ARGV[0], 'c', '($1)'))
            INTO v_referenced USING OLD;
        IF v_table = TG_TABLE_NAME AND v_referenced THEN
            RETURN NULL;  -- another finding has the old key now
        ELSIF v_table <> TG_TABLE_NAME AND v_referenced THEN
            RAISE EXCEPTION 'update on table "%" leaves rows of "%" referring to its old key',
                            TG_TABLE_NAME, v_table
                USING ERRCODE = 'foreign_key_violation',
                      DETAIL = format('Key (%s)=(%s) is still referenced.', TG_ARGV[0],
                                      (SELECT string_agg(to_jsonb(OLD) ->> k, ', ' ORDER BY n)
                                       FROM unnest(string_to_array(TG_ARGV[0], ','))
                                            WITH ORDINALITY AS u (k, n))),
                      SCHEMA = TG_TABLE_SCHEMA, TABLE = TG_TABLE_NAME;
        END IF;
    END LOOP;
    RETURN NULL;
END;
$function$;

-- Each child table's foreign key goes (its per-row triggers are the cost; a table of the
-- operator's own that refers to the findings keeps its own), and the triggers come: one
-- set per findings table, its child tables named once. A trigger with a transition table
-- serves one event, hence one for INSERT and one for UPDATE on each child.
DO $migration$
DECLARE
    v_parent    record;
    v_child     text;
    v_key       name;
    v_arguments text;
BEGIN
    FOR v_parent IN
        SELECT 'findings' AS name, 'scan_name,finding_id' AS key,
               'check_finding_references' AS check_function,
               ARRAY['finding_versions', 'finding_detector_tags', 'finding_code_lines',
                     'finding_suggested_fixes', 'finding_reference_urls',
                     'finding_related_vulnerabilities'] AS children
        UNION ALL
        SELECT 'inspector_findings', 'finding_arn', 'check_inspector_finding_references',
               ARRAY['inspector_finding_versions', 'inspector_finding_resources',
                     'inspector_finding_cwes', 'inspector_finding_detector_tags',
                     'inspector_finding_reference_urls',
                     'inspector_finding_related_vulnerabilities', 'inspector_finding_packages',
                     'inspector_finding_cvss', 'inspector_finding_network_path',
                     'inspector_finding_code_lines', 'inspector_finding_suggested_fixes']
    LOOP
        FOREACH v_child IN ARRAY v_parent.children LOOP
            FOR v_key IN
                SELECT conname FROM pg_constraint
                WHERE contype = 'f' AND conrelid = v_child::regclass
                  AND confrelid = v_parent.name::regclass
            LOOP
                EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', v_child, v_key);
            END LOOP;
            EXECUTE format('CREATE TRIGGER %I AFTER INSERT ON %I REFERENCING NEW TABLE AS '
                           'new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                           v_child || '_reference_insert', v_child, v_parent.check_function);
            EXECUTE format('CREATE TRIGGER %I AFTER UPDATE ON %I REFERENCING NEW TABLE AS '
                           'new_rows FOR EACH STATEMENT EXECUTE FUNCTION %I()',
                           v_child || '_reference_update', v_child, v_parent.check_function);
        END LOOP;
        -- The key, then the child tables, as the string literals trigger arguments are.
        SELECT string_agg(quote_literal(a), ', ') INTO v_arguments
        FROM unnest(v_parent.key || v_parent.children) AS a;
        EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows '
                       'FOR EACH STATEMENT EXECUTE FUNCTION delete_children(%s)',
                       v_parent.name || '_delete_children', v_parent.name, v_arguments);
        EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %I '
                       'FOR EACH STATEMENT EXECUTE FUNCTION truncate_children(%s)',
                       v_parent.name || '_truncate_children', v_parent.name, v_arguments);
        EXECUTE format('CREATE TRIGGER %I AFTER UPDATE OF %s ON %I FOR EACH ROW '
                       'WHEN ((OLD.%s) IS DISTINCT FROM (NEW.%s)) '
                       'EXECUTE FUNCTION refuse_referenced_key_change(%s)',
                       v_parent.name || '_key_change', v_parent.key, v_parent.name,
                       replace(v_parent.key, ',', ', OLD.'), replace(v_parent.key, ',', ', NEW.'),
                       v_arguments);
    END LOOP;
END;
$migration$;
