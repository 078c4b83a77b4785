-- codeguru-sync schema, version 6: Amazon Inspector findings (SPEC §10) in tables of their
-- own beside the CodeGuru ones, the function that applies a ListFindings page, the one that
-- stores fetched code snippets, and the view code_findings over both sources.
-- Runs with search_path set to the configured schema: no object here names a schema.

-- The latest version of each Inspector finding, keyed by its ARN (ARNs are global).
CREATE TABLE inspector_findings (
    finding_arn             text PRIMARY KEY,
    aws_account_id          text,  -- awsAccountId, else the ARN's account
    region                  text,  -- the ARN's region, else the stream that listed it
    type                    text,
    title                   text,
    description             text,
    severity                text,  -- as Inspector sends it: INFORMATIONAL ... CRITICAL, UNTRIAGED
    status                  text,  -- ACTIVE | SUPPRESSED | CLOSED
    inspector_score         double precision,
    epss_score              double precision,
    fix_available           text,
    exploit_available       text,
    last_known_exploit_at   timestamptz,
    first_observed_at       timestamptz,
    last_observed_at        timestamptz,
    updated_at              timestamptz NOT NULL,  -- updatedAt, else lastObservedAt, else the sync
    recommendation_text     text,
    recommendation_url      text,
    detector_id             text,
    detector_name           text,
    rule_id                 text,
    file_name               text,
    file_path               text,
    start_line              bigint,
    end_line                bigint,
    source_lambda_layer_arn text,
    vulnerability_id        text,
    vulnerability_source    text,
    vendor_severity         text,
    source_url              text,
    vendor_created_at       timestamptz,
    vendor_updated_at       timestamptz,
    network_protocol        text,
    open_port_begin         bigint,
    open_port_end           bigint,
    first_seen_at           timestamptz NOT NULL,  -- the sync that first inserted the row
    last_changed_at         timestamptz NOT NULL,  -- the sync that last rewrote the row
    missing_since           timestamptz,  -- set by a full pass in scope that did not return it
    -- The code snippet of the stored version (BatchGetCodeSnippet). NULL: none wanted (not a
    -- code finding, or snippets off when the version was written); 'pending': to fetch;
    -- 'stored'; 'not_found' (CODE_SNIPPET_NOT_FOUND) and 'refused' (INVALID_INPUT): not asked
    -- again for this version. A newer version starts over.
    snippet_status          text CHECK (snippet_status IN ('pending', 'stored', 'not_found',
                                                           'refused')),
    snippet_error           text  -- the last per-ARN error of the snippet fetch
);

-- The snippets a stream still has to fetch.
CREATE INDEX inspector_findings_snippet_pending_idx ON inspector_findings (region, updated_at)
    WHERE snippet_status = 'pending';
-- The end of a full pass looks for the stream's findings in scope that are not missing yet.
CREATE INDEX inspector_findings_sweep_idx ON inspector_findings (region, type)
    WHERE missing_since IS NULL;
CREATE INDEX inspector_findings_missing_idx ON inspector_findings (region, missing_since)
    WHERE missing_since IS NOT NULL;

-- One row per version observed: the history behind time-to-fix reports.
CREATE TABLE inspector_finding_versions (
    finding_arn text        NOT NULL REFERENCES inspector_findings ON DELETE CASCADE,
    updated_at  timestamptz NOT NULL,
    status      text,
    severity    text,
    title       text,
    observed_at timestamptz NOT NULL,
    PRIMARY KEY (finding_arn, updated_at)
);

CREATE TABLE inspector_finding_resources (
    finding_arn     text   NOT NULL REFERENCES inspector_findings ON DELETE CASCADE,
    ordinal         bigint NOT NULL,
    type            text,
    resource_id     text,
    partition       text,
    region          text,
    project_name    text,  -- details.codeRepository
    provider_type   text,  -- details.codeRepository
    integration_arn text,  -- details.codeRepository
    details         jsonb,  -- the details object as sent
    tags            jsonb,
    PRIMARY KEY (finding_arn, ordinal)
);

CREATE TABLE inspector_finding_cwes (
    finding_arn text   NOT NULL REFERENCES inspector_findings ON DELETE CASCADE,
    ordinal     bigint NOT NULL,
    cwe         text   NOT NULL,
    PRIMARY KEY (finding_arn, ordinal)
);

-- A tag that repeats within a finding is stored once, with the position it first had.
CREATE TABLE inspector_finding_detector_tags (
    finding_arn text   NOT NULL REFERENCES inspector_findings ON DELETE CASCADE,
    tag         text   NOT NULL,
    ordinal     bigint NOT NULL,
    PRIMARY KEY (finding_arn, tag)
);

-- codeVulnerabilityDetails' URLs, then packageVulnerabilityDetails', numbered on.
CREATE TABLE inspector_finding_reference_urls (
    finding_arn text   NOT NULL REFERENCES inspector_findings ON DELETE CASCADE,
    ordinal     bigint NOT NULL,
    url         text   NOT NULL,
    PRIMARY KEY (finding_arn, ordinal)
);

CREATE TABLE inspector_finding_related_vulnerabilities (
    finding_arn text   NOT NULL REFERENCES inspector_findings ON DELETE CASCADE,
    ordinal     bigint NOT NULL,
    related_id  text   NOT NULL,
    PRIMARY KEY (finding_arn, ordinal)
);

CREATE TABLE inspector_finding_packages (
    finding_arn             text   NOT NULL REFERENCES inspector_findings ON DELETE CASCADE,
    ordinal                 bigint NOT NULL,
    name                    text,
    version                 text,
    epoch                   bigint,
    release                 text,
    arch                    text,
    package_manager         text,
    file_path               text,
    fixed_in_version        text,
    remediation             text,
    source_layer_hash       text,
    source_lambda_layer_arn text,
    PRIMARY KEY (finding_arn, ordinal)
);

CREATE TABLE inspector_finding_cvss (
    finding_arn    text   NOT NULL REFERENCES inspector_findings ON DELETE CASCADE,
    ordinal        bigint NOT NULL,
    base_score     double precision,
    scoring_vector text,
    version        text,
    source         text,
    PRIMARY KEY (finding_arn, ordinal)
);

CREATE TABLE inspector_finding_network_path (
    finding_arn    text   NOT NULL REFERENCES inspector_findings ON DELETE CASCADE,
    ordinal        bigint NOT NULL,
    component_id   text,
    component_type text,
    component_arn  text,
    PRIMARY KEY (finding_arn, ordinal)
);

-- From BatchGetCodeSnippet, for the stored version only. A line number that repeats is
-- stored once (the first).
CREATE TABLE inspector_finding_code_lines (
    finding_arn text   NOT NULL REFERENCES inspector_findings ON DELETE CASCADE,
    line_number bigint NOT NULL,
    content     text,
    PRIMARY KEY (finding_arn, line_number)
);

CREATE TABLE inspector_finding_suggested_fixes (
    finding_arn text   NOT NULL REFERENCES inspector_findings ON DELETE CASCADE,
    ordinal     bigint NOT NULL,
    description text,
    code        text,
    PRIMARY KEY (finding_arn, ordinal)
);

-- Applies one ListFindings page of an Inspector stream (a region) atomically: the findings,
-- their children and versions, the pass's seen-set, the stream's checkpoint and the run's
-- counters. The checkpoint row is (source 'inspector', scan_name = the stream); its
-- pass_kind, pass_filter and pass_started_at are set by the daemon before a pass's first page.
--
-- The page arrives as parallel arrays built by codeguru-syncd
-- (sources/inspector/page_columns.cpp), as apply_findings_page's (version 3): element i of
-- every finding array belongs to the page's i-th finding; ARNs are distinct; child arrays
-- name their finding by that 1-based position, already deduplicated and numbered. Only the
-- ARNs and updated_at values are bound as arrays; every other array travels as its text
-- literal (its type in the comment) and is parsed only where a statement uses it.
--
-- A finding is written only when new or newer (by updated_at); its children, code snippet
-- included, are replaced with it. snippet_positions: the page positions of the written
-- CODE_VULNERABILITY findings whose snippet is now pending (p_snippets).
--
-- Raises SQLSTATE CG001 when the checkpoint is not at p_expected_token for p_run_id.
-- p_next_token NULL ends the pass: the watermark becomes pass_started_at; a full pass also
-- sets last_full_at and marks missing the stream's findings in scope it did not return.
-- Scope: region = p_stream, type in p_scope_types and aws_account_id in p_scope_accounts
-- (an empty list: any), status = p_scope_status unless 'All'.
CREATE FUNCTION apply_inspector_page(
    p_stream                  text,
    p_run_id                  bigint,
    p_expected_token          text,
    p_next_token              text,
    p_sync_time               timestamptz,
    p_rejected                integer,  -- findings without an ARN, left out of the arrays
    p_duplicates              integer,  -- repeated ARNs in the page, left out of the arrays
    p_scope_types             text[],
    p_scope_accounts          text[],
    p_scope_status            text,
    p_snippets                boolean,  -- whether code snippets are wanted
    p_finding_arn             text[],
    p_updated_at              timestamptz[],
    p_aws_account_id          text,  -- text[]
    p_region                  text,  -- text[]
    p_type                    text,  -- text[]
    p_title                   text,  -- text[]
    p_description             text,  -- text[]
    p_severity                text,  -- text[]
    p_status                  text,  -- text[]
    p_inspector_score         text,  -- double precision[]
    p_epss_score              text,  -- double precision[]
    p_fix_available           text,  -- text[]
    p_exploit_available       text,  -- text[]
    p_last_known_exploit_at   text,  -- timestamptz[]
    p_first_observed_at       text,  -- timestamptz[]
    p_last_observed_at        text,  -- timestamptz[]
    p_recommendation_text     text,  -- text[]
    p_recommendation_url      text,  -- text[]
    p_detector_id             text,  -- text[]
    p_detector_name           text,  -- text[]
    p_rule_id                 text,  -- text[]
    p_file_name               text,  -- text[]
    p_file_path               text,  -- text[]
    p_start_line              text,  -- bigint[]
    p_end_line                text,  -- bigint[]
    p_source_lambda_layer_arn text,  -- text[]
    p_vulnerability_id        text,  -- text[]
    p_vulnerability_source    text,  -- text[]
    p_vendor_severity         text,  -- text[]
    p_source_url              text,  -- text[]
    p_vendor_created_at       text,  -- timestamptz[]
    p_vendor_updated_at       text,  -- timestamptz[]
    p_network_protocol        text,  -- text[]
    p_open_port_begin         text,  -- bigint[]
    p_open_port_end           text,  -- bigint[]
    p_resource_finding        text,  -- integer[]
    p_resource_ordinal        text,  -- bigint[]
    p_resource_type           text,  -- text[]
    p_resource_id             text,  -- text[]
    p_resource_partition      text,  -- text[]
    p_resource_region         text,  -- text[]
    p_resource_project_name   text,  -- text[]
    p_resource_provider_type  text,  -- text[]
    p_resource_integration_arn text,  -- text[]
    p_resource_details        text,  -- jsonb[]
    p_resource_tags           text,  -- jsonb[]
    p_cwe_finding             text,  -- integer[]
    p_cwe_ordinal             text,  -- bigint[]
    p_cwe                     text,  -- text[]
    p_tag_finding             text,  -- integer[]
    p_tag                     text,  -- text[]
    p_tag_ordinal             text,  -- bigint[]
    p_url_finding             text,  -- integer[]
    p_url_ordinal             text,  -- bigint[]
    p_url                     text,  -- text[]
    p_related_finding         text,  -- integer[]
    p_related_ordinal         text,  -- bigint[]
    p_related_id              text,  -- text[]
    p_package_finding         text,  -- integer[]
    p_package_ordinal         text,  -- bigint[]
    p_package_name            text,  -- text[]
    p_package_version         text,  -- text[]
    p_package_epoch           text,  -- bigint[]
    p_package_release         text,  -- text[]
    p_package_arch            text,  -- text[]
    p_package_manager         text,  -- text[]
    p_package_file_path       text,  -- text[]
    p_package_fixed_in_version text,  -- text[]
    p_package_remediation     text,  -- text[]
    p_package_source_layer_hash text,  -- text[]
    p_package_source_lambda_layer_arn text,  -- text[]
    p_cvss_finding            text,  -- integer[]
    p_cvss_ordinal            text,  -- bigint[]
    p_cvss_base_score         text,  -- double precision[]
    p_cvss_scoring_vector     text,  -- text[]
    p_cvss_version            text,  -- text[]
    p_cvss_source             text,  -- text[]
    p_step_finding            text,  -- integer[]
    p_step_ordinal            text,  -- bigint[]
    p_step_component_id       text,  -- text[]
    p_step_component_type     text,  -- text[]
    p_step_component_arn      text)  -- text[]
RETURNS TABLE (inserted integer, updated integer, unchanged integer, snippet_positions integer[])
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_checkpoint sync_checkpoints%ROWTYPE;
    v_count      integer := coalesce(cardinality(p_finding_arn), 0);
    -- By position in the page: the finding is not stored yet / stored with an older
    -- updated_at / either. Children and versions are written for exactly v_write.
    v_new        boolean[];
    v_newer      boolean[];
    v_write      boolean[];
    v_newer_arns text[];  -- stored findings to rewrite (their children are replaced)
    v_back_arns  text[];  -- stored, not newer, missing_since set: only that is cleared
BEGIN
    SELECT * INTO v_checkpoint FROM sync_checkpoints
    WHERE source = 'inspector' AND scan_name = p_stream FOR UPDATE;
    IF NOT FOUND
       OR v_checkpoint.run_id IS DISTINCT FROM p_run_id
       OR v_checkpoint.next_token IS DISTINCT FROM p_expected_token THEN
        RAISE EXCEPTION 'stale page for stream %: the checkpoint is not where run % expects it',
                        p_stream, p_run_id
            USING ERRCODE = 'CG001',
                  DETAIL = 'The page was applied already or another run owns the checkpoint.';
    END IF;

    -- A pass's first page starts its seen-set afresh, whatever an abandoned pass left.
    IF p_expected_token IS NULL THEN
        DELETE FROM sync_pass_seen WHERE source = 'inspector' AND scan_name = p_stream;
    END IF;

    -- One primary-key probe per finding classifies the whole page.
    SELECT coalesce(array_agg(f.finding_arn IS NULL ORDER BY r.pos), '{}'),
           coalesce(array_agg(coalesce(f.updated_at < r.updated_at, false) ORDER BY r.pos),
                    '{}'),
           coalesce(array_agg(r.finding_arn) FILTER (WHERE f.updated_at < r.updated_at), '{}'),
           coalesce(array_agg(r.finding_arn) FILTER (WHERE f.updated_at >= r.updated_at
                                                       AND f.missing_since IS NOT NULL), '{}'),
           count(*) FILTER (WHERE f.finding_arn IS NULL),
           coalesce(array_agg(f.finding_arn IS NULL OR f.updated_at < r.updated_at
                              ORDER BY r.pos), '{}')
    INTO v_new, v_newer, v_newer_arns, v_back_arns, inserted, v_write
    FROM unnest(p_finding_arn, p_updated_at) WITH ORDINALITY AS r(finding_arn, updated_at, pos)
    LEFT JOIN inspector_findings AS f ON f.finding_arn = r.finding_arn;

    updated := cardinality(v_newer_arns);
    -- Repeated ARNs within the page count as unchanged: they changed nothing.
    unchanged := v_count - inserted - updated + p_duplicates;
    snippet_positions := '{}';

    IF cardinality(v_back_arns) > 0 THEN
        UPDATE inspector_findings SET missing_since = NULL
        WHERE finding_arn = ANY (v_back_arns);
    END IF;

    IF inserted > 0 THEN
        INSERT INTO inspector_findings (
            finding_arn, aws_account_id, region, type, title, description, severity, status,
            inspector_score, epss_score, fix_available, exploit_available, last_known_exploit_at,
            first_observed_at, last_observed_at, updated_at, recommendation_text,
            recommendation_url, detector_id, detector_name, rule_id, file_name, file_path,
            start_line, end_line, source_lambda_layer_arn, vulnerability_id,
            vulnerability_source, vendor_severity, source_url, vendor_created_at,
            vendor_updated_at, network_protocol, open_port_begin, open_port_end, first_seen_at,
            last_changed_at, missing_since, snippet_status, snippet_error)
        SELECT r.finding_arn, r.aws_account_id, r.region, r.type, r.title, r.description,
               r.severity, r.status, r.inspector_score, r.epss_score, r.fix_available,
               r.exploit_available, r.last_known_exploit_at, r.first_observed_at,
               r.last_observed_at, r.updated_at, r.recommendation_text, r.recommendation_url,
               r.detector_id, r.detector_name, r.rule_id, r.file_name, r.file_path, r.start_line,
               r.end_line, r.source_lambda_layer_arn, r.vulnerability_id, r.vulnerability_source,
               r.vendor_severity, r.source_url, r.vendor_created_at, r.vendor_updated_at,
               r.network_protocol, r.open_port_begin, r.open_port_end, p_sync_time, p_sync_time,
               NULL,
               CASE WHEN p_snippets AND r.type = 'CODE_VULNERABILITY' THEN 'pending' END, NULL
        FROM unnest(p_finding_arn, p_updated_at, p_aws_account_id::text[], p_region::text[],
                    p_type::text[], p_title::text[], p_description::text[], p_severity::text[],
                    p_status::text[], p_inspector_score::double precision[],
                    p_epss_score::double precision[], p_fix_available::text[],
                    p_exploit_available::text[], p_last_known_exploit_at::timestamptz[],
                    p_first_observed_at::timestamptz[], p_last_observed_at::timestamptz[],
                    p_recommendation_text::text[], p_recommendation_url::text[],
                    p_detector_id::text[], p_detector_name::text[], p_rule_id::text[],
                    p_file_name::text[], p_file_path::text[], p_start_line::bigint[],
                    p_end_line::bigint[], p_source_lambda_layer_arn::text[],
                    p_vulnerability_id::text[], p_vulnerability_source::text[],
                    p_vendor_severity::text[], p_source_url::text[],
                    p_vendor_created_at::timestamptz[], p_vendor_updated_at::timestamptz[],
                    p_network_protocol::text[], p_open_port_begin::bigint[],
                    p_open_port_end::bigint[])
            WITH ORDINALITY AS r(
            finding_arn, updated_at, aws_account_id, region, type, title, description, severity,
            status, inspector_score, epss_score, fix_available, exploit_available,
            last_known_exploit_at, first_observed_at, last_observed_at, recommendation_text,
            recommendation_url, detector_id, detector_name, rule_id, file_name, file_path,
            start_line, end_line, source_lambda_layer_arn, vulnerability_id,
            vulnerability_source, vendor_severity, source_url, vendor_created_at,
            vendor_updated_at, network_protocol, open_port_begin, open_port_end, pos)
        WHERE v_new[r.pos];
    END IF;

    IF updated > 0 THEN
        UPDATE inspector_findings AS f SET
            aws_account_id = r.aws_account_id,
            region = r.region,
            type = r.type,
            title = r.title,
            description = r.description,
            severity = r.severity,
            status = r.status,
            inspector_score = r.inspector_score,
            epss_score = r.epss_score,
            fix_available = r.fix_available,
            exploit_available = r.exploit_available,
            last_known_exploit_at = r.last_known_exploit_at,
            first_observed_at = r.first_observed_at,
            last_observed_at = r.last_observed_at,
            updated_at = r.updated_at,
            recommendation_text = r.recommendation_text,
            recommendation_url = r.recommendation_url,
            detector_id = r.detector_id,
            detector_name = r.detector_name,
            rule_id = r.rule_id,
            file_name = r.file_name,
            file_path = r.file_path,
            start_line = r.start_line,
            end_line = r.end_line,
            source_lambda_layer_arn = r.source_lambda_layer_arn,
            vulnerability_id = r.vulnerability_id,
            vulnerability_source = r.vulnerability_source,
            vendor_severity = r.vendor_severity,
            source_url = r.source_url,
            vendor_created_at = r.vendor_created_at,
            vendor_updated_at = r.vendor_updated_at,
            network_protocol = r.network_protocol,
            open_port_begin = r.open_port_begin,
            open_port_end = r.open_port_end,
            last_changed_at = p_sync_time,
            missing_since = NULL,
            snippet_status = CASE WHEN p_snippets AND r.type = 'CODE_VULNERABILITY'
                                  THEN 'pending' END,
            snippet_error = NULL
        FROM unnest(p_finding_arn, p_updated_at, p_aws_account_id::text[], p_region::text[],
                    p_type::text[], p_title::text[], p_description::text[], p_severity::text[],
                    p_status::text[], p_inspector_score::double precision[],
                    p_epss_score::double precision[], p_fix_available::text[],
                    p_exploit_available::text[], p_last_known_exploit_at::timestamptz[],
                    p_first_observed_at::timestamptz[], p_last_observed_at::timestamptz[],
                    p_recommendation_text::text[], p_recommendation_url::text[],
                    p_detector_id::text[], p_detector_name::text[], p_rule_id::text[],
                    p_file_name::text[], p_file_path::text[], p_start_line::bigint[],
                    p_end_line::bigint[], p_source_lambda_layer_arn::text[],
                    p_vulnerability_id::text[], p_vulnerability_source::text[],
                    p_vendor_severity::text[], p_source_url::text[],
                    p_vendor_created_at::timestamptz[], p_vendor_updated_at::timestamptz[],
                    p_network_protocol::text[], p_open_port_begin::bigint[],
                    p_open_port_end::bigint[])
            WITH ORDINALITY AS r(
            finding_arn, updated_at, aws_account_id, region, type, title, description, severity,
            status, inspector_score, epss_score, fix_available, exploit_available,
            last_known_exploit_at, first_observed_at, last_observed_at, recommendation_text,
            recommendation_url, detector_id, detector_name, rule_id, file_name, file_path,
            start_line, end_line, source_lambda_layer_arn, vulnerability_id,
            vulnerability_source, vendor_severity, source_url, vendor_created_at,
            vendor_updated_at, network_protocol, open_port_begin, open_port_end, pos)
        WHERE v_newer[r.pos] AND f.finding_arn = r.finding_arn;

        -- The code snippet belonged to the old version: it goes with the other children.
        DELETE FROM inspector_finding_resources WHERE finding_arn = ANY (v_newer_arns);
        DELETE FROM inspector_finding_cwes WHERE finding_arn = ANY (v_newer_arns);
        DELETE FROM inspector_finding_detector_tags WHERE finding_arn = ANY (v_newer_arns);
        DELETE FROM inspector_finding_reference_urls WHERE finding_arn = ANY (v_newer_arns);
        DELETE FROM inspector_finding_related_vulnerabilities
            WHERE finding_arn = ANY (v_newer_arns);
        DELETE FROM inspector_finding_packages WHERE finding_arn = ANY (v_newer_arns);
        DELETE FROM inspector_finding_cvss WHERE finding_arn = ANY (v_newer_arns);
        DELETE FROM inspector_finding_network_path WHERE finding_arn = ANY (v_newer_arns);
        DELETE FROM inspector_finding_code_lines WHERE finding_arn = ANY (v_newer_arns);
        DELETE FROM inspector_finding_suggested_fixes WHERE finding_arn = ANY (v_newer_arns);
    END IF;

    -- Children and versions of what was inserted or rewritten: plain inserts, because
    -- nothing of these findings is left to conflict with (the stream's checkpoint row lock
    -- serializes its pages, and the daemon deduplicated the page).
    IF inserted + updated > 0 THEN
        INSERT INTO inspector_finding_resources (
            finding_arn, ordinal, type, resource_id, partition, region, project_name,
            provider_type, integration_arn, details, tags)
        SELECT p_finding_arn[c.pos], c.ordinal, c.type, c.resource_id, c.partition, c.region,
               c.project_name, c.provider_type, c.integration_arn, c.details, c.tags
        FROM unnest(p_resource_finding::integer[], p_resource_ordinal::bigint[],
                    p_resource_type::text[], p_resource_id::text[], p_resource_partition::text[],
                    p_resource_region::text[], p_resource_project_name::text[],
                    p_resource_provider_type::text[], p_resource_integration_arn::text[],
                    p_resource_details::jsonb[], p_resource_tags::jsonb[])
            AS c(pos, ordinal, type, resource_id, partition, region, project_name,
                 provider_type, integration_arn, details, tags)
        WHERE v_write[c.pos];

        INSERT INTO inspector_finding_cwes (finding_arn, ordinal, cwe)
        SELECT p_finding_arn[c.pos], c.ordinal, c.cwe
        FROM unnest(p_cwe_finding::integer[], p_cwe_ordinal::bigint[], p_cwe::text[])
            AS c(pos, ordinal, cwe)
        WHERE v_write[c.pos];

        INSERT INTO inspector_finding_detector_tags (finding_arn, tag, ordinal)
        SELECT p_finding_arn[c.pos], c.tag, c.ordinal
        FROM unnest(p_tag_finding::integer[], p_tag::text[], p_tag_ordinal::bigint[])
            AS c(pos, tag, ordinal)
        WHERE v_write[c.pos];

        INSERT INTO inspector_finding_reference_urls (finding_arn, ordinal, url)
        SELECT p_finding_arn[c.pos], c.ordinal, c.url
        FROM unnest(p_url_finding::integer[], p_url_ordinal::bigint[], p_url::text[])
            AS c(pos, ordinal, url)
        WHERE v_write[c.pos];

        INSERT INTO inspector_finding_related_vulnerabilities (finding_arn, ordinal, related_id)
        SELECT p_finding_arn[c.pos], c.ordinal, c.related_id
        FROM unnest(p_related_finding::integer[], p_related_ordinal::bigint[],
                    p_related_id::text[])
            AS c(pos, ordinal, related_id)
        WHERE v_write[c.pos];

        INSERT INTO inspector_finding_packages (
            finding_arn, ordinal, name, version, epoch, release, arch, package_manager,
            file_path, fixed_in_version, remediation, source_layer_hash, source_lambda_layer_arn)
        SELECT p_finding_arn[c.pos], c.ordinal, c.name, c.version, c.epoch, c.release, c.arch,
               c.package_manager, c.file_path, c.fixed_in_version, c.remediation,
               c.source_layer_hash, c.source_lambda_layer_arn
        FROM unnest(p_package_finding::integer[], p_package_ordinal::bigint[],
                    p_package_name::text[], p_package_version::text[],
                    p_package_epoch::bigint[], p_package_release::text[],
                    p_package_arch::text[], p_package_manager::text[],
                    p_package_file_path::text[], p_package_fixed_in_version::text[],
                    p_package_remediation::text[], p_package_source_layer_hash::text[],
                    p_package_source_lambda_layer_arn::text[])
            AS c(pos, ordinal, name, version, epoch, release, arch, package_manager, file_path,
                 fixed_in_version, remediation, source_layer_hash, source_lambda_layer_arn)
        WHERE v_write[c.pos];

        INSERT INTO inspector_finding_cvss (finding_arn, ordinal, base_score, scoring_vector,
                                            version, source)
        SELECT p_finding_arn[c.pos], c.ordinal, c.base_score, c.scoring_vector, c.version,
               c.source
        FROM unnest(p_cvss_finding::integer[], p_cvss_ordinal::bigint[],
                    p_cvss_base_score::double precision[], p_cvss_scoring_vector::text[],
                    p_cvss_version::text[], p_cvss_source::text[])
            AS c(pos, ordinal, base_score, scoring_vector, version, source)
        WHERE v_write[c.pos];

        INSERT INTO inspector_finding_network_path (finding_arn, ordinal, component_id,
                                                    component_type, component_arn)
        SELECT p_finding_arn[c.pos], c.ordinal, c.component_id, c.component_type,
               c.component_arn
        FROM unnest(p_step_finding::integer[], p_step_ordinal::bigint[],
                    p_step_component_id::text[], p_step_component_type::text[],
                    p_step_component_arn::text[])
            AS c(pos, ordinal, component_id, component_type, component_arn)
        WHERE v_write[c.pos];

        -- Cannot conflict either: a stored updated_at only grows, and a deleted finding
        -- takes its versions with it.
        INSERT INTO inspector_finding_versions (finding_arn, updated_at, status, severity, title,
                                                observed_at)
        SELECT r.finding_arn, r.updated_at, r.status, r.severity, r.title, p_sync_time
        FROM unnest(p_finding_arn, p_updated_at, p_status::text[], p_severity::text[],
                    p_title::text[])
            WITH ORDINALITY AS r(finding_arn, updated_at, status, severity, title, pos)
        WHERE v_write[r.pos];

        IF p_snippets THEN
            SELECT coalesce(array_agg(r.pos::integer ORDER BY r.pos), '{}')
            INTO snippet_positions
            FROM unnest(p_type::text[]) WITH ORDINALITY AS r(type, pos)
            WHERE v_write[r.pos] AND r.type = 'CODE_VULNERABILITY';
        END IF;
    END IF;

    UPDATE sync_runs AS s SET
        pages = s.pages + 1,
        findings_seen = s.findings_seen + v_count + p_duplicates + p_rejected,
        findings_inserted = s.findings_inserted + inserted,
        findings_updated = s.findings_updated + updated,
        findings_unchanged = s.findings_unchanged + unchanged,
        findings_rejected = s.findings_rejected + p_rejected
    WHERE s.run_id = p_run_id;

    IF p_next_token IS NULL THEN
        -- Only a full pass (no updatedAt filter) lists every finding in scope; the last
        -- page's ARNs count without being stored. A pass whose kind the daemon did not
        -- record is not taken for full.
        IF v_checkpoint.pass_kind = 'full' THEN
            UPDATE inspector_findings AS f SET missing_since = p_sync_time
            FROM (SELECT i.finding_arn FROM inspector_findings AS i
                  WHERE i.region = p_stream AND i.missing_since IS NULL
                    AND (coalesce(cardinality(p_scope_types), 0) = 0
                         OR i.type = ANY (p_scope_types))
                    AND (coalesce(cardinality(p_scope_accounts), 0) = 0
                         OR i.aws_account_id = ANY (p_scope_accounts))
                    AND (coalesce(p_scope_status, 'All') = 'All' OR i.status = p_scope_status)
                  EXCEPT
                  SELECT unnest(finding_ids) FROM sync_pass_seen
                  WHERE source = 'inspector' AND scan_name = p_stream
                  EXCEPT
                  SELECT unnest(p_finding_arn)) AS gone
            WHERE f.finding_arn = gone.finding_arn;
        END IF;
        DELETE FROM sync_pass_seen WHERE source = 'inspector' AND scan_name = p_stream;
        -- The watermark is when the pass started, never the newest updatedAt seen: a
        -- finding updated while the pass ran is read again by the next one.
        UPDATE sync_checkpoints SET
            next_token = NULL,
            pages_done = 0,
            last_completed_at = p_sync_time,
            watermark = coalesce(pass_started_at, watermark),
            last_full_at = CASE WHEN pass_kind = 'full'
                                THEN coalesce(pass_started_at, last_full_at)
                                ELSE last_full_at END,
            pass_kind = NULL,
            pass_filter = NULL,
            pass_started_at = NULL
        WHERE source = 'inspector' AND scan_name = p_stream;
    ELSE
        IF v_checkpoint.pass_kind = 'full' AND v_count > 0 THEN
            INSERT INTO sync_pass_seen (source, scan_name, page_number, finding_ids)
            VALUES ('inspector', p_stream, v_checkpoint.pages_done + 1, p_finding_arn);
        END IF;
        UPDATE sync_checkpoints SET next_token = p_next_token,
                                    pages_done = v_checkpoint.pages_done + 1
        WHERE source = 'inspector' AND scan_name = p_stream;
    END IF;

    RETURN NEXT;
END;
$function$;

-- Stores the outcome of BatchGetCodeSnippet calls, one element per finding: p_outcome
-- 'stored' (replaces the finding's code lines and suggested fixes with the given ones),
-- 'not_found', 'refused' (not asked again for this version) or 'pending' (asked again
-- later); p_error is the per-ARN error, NULL for none. An outcome applies only while the
-- finding is still at p_version, the version the snippet was asked for, and its snippet is
-- pending: otherwise it is stale and skipped. Of an ARN given twice, the first counts.
-- Line and fix arrays name their finding by 1-based position, already deduplicated and
-- numbered. Returns how many findings it updated.
CREATE FUNCTION apply_inspector_snippets(
    p_finding_arn     text[],
    p_version         timestamptz[],
    p_outcome         text[],
    p_error           text[],
    p_line_finding    integer[],
    p_line_number     bigint[],
    p_line_content    text[],
    p_fix_finding     integer[],
    p_fix_ordinal     bigint[],
    p_fix_description text[],
    p_fix_code        text[])
RETURNS integer
LANGUAGE plpgsql
SET search_path FROM CURRENT
AS $function$
DECLARE
    v_applied   integer;
    v_positions integer[];  -- positions of the applied 'stored' outcomes
    v_arns      text[];     -- and their findings
BEGIN
    -- The UPDATE rechecks version and status on rows a page rewrote meanwhile, and its row
    -- locks hold a concurrent page off until the snippet is in.
    WITH applied AS (
        UPDATE inspector_findings AS f SET
            snippet_status = r.outcome,
            snippet_error = r.error
        FROM (SELECT DISTINCT ON (u.finding_arn) u.finding_arn, u.version, u.outcome, u.error,
                     u.pos
              FROM unnest(p_finding_arn, p_version, p_outcome, p_error)
                  WITH ORDINALITY AS u(finding_arn, version, outcome, error, pos)
              ORDER BY u.finding_arn, u.pos) AS r
        WHERE f.finding_arn = r.finding_arn AND f.updated_at = r.version
          AND f.snippet_status = 'pending'
        RETURNING r.pos, r.finding_arn, r.outcome
    )
    SELECT count(*),
           coalesce(array_agg(a.pos::integer) FILTER (WHERE a.outcome = 'stored'), '{}'),
           coalesce(array_agg(a.finding_arn) FILTER (WHERE a.outcome = 'stored'), '{}')
    INTO v_applied, v_positions, v_arns
    FROM applied AS a;

    IF cardinality(v_arns) > 0 THEN
        DELETE FROM inspector_finding_code_lines WHERE finding_arn = ANY (v_arns);
        DELETE FROM inspector_finding_suggested_fixes WHERE finding_arn = ANY (v_arns);

        INSERT INTO inspector_finding_code_lines (finding_arn, line_number, content)
        SELECT p_finding_arn[c.pos], c.line_number, c.content
        FROM unnest(p_line_finding, p_line_number, p_line_content)
            AS c(pos, line_number, content)
        WHERE c.pos = ANY (v_positions);

        INSERT INTO inspector_finding_suggested_fixes (finding_arn, ordinal, description, code)
        SELECT p_finding_arn[c.pos], c.ordinal, c.description, c.code
        FROM unnest(p_fix_finding, p_fix_ordinal, p_fix_description, p_fix_code)
            AS c(pos, ordinal, description, code)
        WHERE c.pos = ANY (v_positions);
    END IF;

    RETURN v_applied;
END;
$function$;

-- Both sources' code findings side by side, in CodeGuru's vocabulary: severity
-- Critical|High|Medium|Low|Info (Inspector's INFORMATIONAL is Info, UNTRIAGED and anything
-- unknown NULL), status Open|Closed|Suppressed (Inspector's ACTIVE is Open). CodeGuru rows
-- pass severity and status through as stored and have no account or region; their project
-- is the scan. An Inspector finding's project is its first resource's project_name, else
-- that resource's id; only CODE_VULNERABILITY findings are code findings.
CREATE VIEW code_findings AS
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
       f.missing_since
FROM findings AS f
UNION ALL
SELECT 'inspector'::text,
       i.aws_account_id,
       i.region,
       coalesce(r.project_name, r.resource_id),
       i.finding_arn,
       i.title,
       CASE i.severity
           WHEN 'CRITICAL' THEN 'Critical'
           WHEN 'HIGH' THEN 'High'
           WHEN 'MEDIUM' THEN 'Medium'
           WHEN 'LOW' THEN 'Low'
           WHEN 'INFORMATIONAL' THEN 'Info'
       END,
       CASE i.status
           WHEN 'ACTIVE' THEN 'Open'
           WHEN 'CLOSED' THEN 'Closed'
           WHEN 'SUPPRESSED' THEN 'Suppressed'
       END,
       i.detector_name,
       i.rule_id,
       i.file_path,
       i.start_line,
       i.end_line,
       i.first_observed_at,
       i.updated_at,
       i.missing_since
FROM inspector_findings AS i
LEFT JOIN inspector_finding_resources AS r ON r.finding_arn = i.finding_arn AND r.ordinal = 1
WHERE i.type = 'CODE_VULNERABILITY';
