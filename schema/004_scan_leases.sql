-- codeguru-sync schema, version 4: a scan is owned through a lease on its checkpoint row
-- instead of a session-level advisory lock.
-- Runs with search_path set to the configured schema: no object here names a schema.
--
-- Why: a session advisory lock belongs to a server backend. Behind a transaction-mode pooler
-- (PgBouncer, RDS Proxy) consecutive transactions of one client run on different backends,
-- so the lock is shared with whoever reuses the backend and its unlock runs elsewhere. A
-- lease is plain row data: it works through any pooler and outlives no one.

-- The daemon instance that owns the scan's pass, until lease_until (server time). An owner
-- that stops renewing loses the scan once the lease has expired; any daemon may take it then.
ALTER TABLE sync_checkpoints
    ADD COLUMN owner          text,
    ADD COLUMN lease_until    timestamptz,
    ADD COLUMN lease_duration interval;  -- [sync] lease of the owner, for renewals by page

-- The daemon instance that ran it: only its owner closes a run that is still running.
ALTER TABLE sync_runs ADD COLUMN owner text;

-- Every page moves the checkpoint (apply_findings_page); the lease renews with it, in the
-- page's own transaction, so an owner that makes progress never loses its scan.
CREATE FUNCTION renew_scan_lease() RETURNS trigger
LANGUAGE plpgsql
AS $function$
BEGIN
    NEW.lease_until := now() + NEW.lease_duration;
    RETURN NEW;
END;
$function$;

CREATE TRIGGER sync_checkpoints_renew_lease
    BEFORE UPDATE OF next_token, pages_done, last_completed_at ON sync_checkpoints
    FOR EACH ROW
    WHEN (NEW.owner IS NOT NULL AND NEW.lease_duration IS NOT NULL)
    EXECUTE FUNCTION renew_scan_lease();
