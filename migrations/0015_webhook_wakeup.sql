-- Wake the webhook delivery workers (app/webhooks/worker.py LISTENs on this channel) when a
-- change makes work for them: an event written (by any trigger or door), a delivery made due
-- now (redeliver), an endpoint enabled again. NOTIFY is sent at commit (a rolled-back change
-- wakes nobody) and once per transaction however many rows changed. Retries coming due and
-- leases running out need none: the workers know those times.
CREATE OR REPLACE FUNCTION webhook_wake() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('memory_service_webhooks', '');
    RETURN NULL;
END $$;

-- Statement level, with the rows inserted: the memory trigger's INSERT ... SELECT runs on every
-- write and inserts nothing while no endpoint wants the event; that must wake nobody.
CREATE OR REPLACE FUNCTION webhook_wake_if_added() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM added) THEN
        PERFORM pg_notify('memory_service_webhooks', '');
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS webhook_events_wake_trigger ON webhook_events;
CREATE TRIGGER webhook_events_wake_trigger
    AFTER INSERT ON webhook_events REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION webhook_wake_if_added();

-- Due now and not leased: a redelivery (a worker's own claims and retries set a lease or a
-- later time, and do not fire it).
DROP TRIGGER IF EXISTS webhook_deliveries_wake_trigger ON webhook_deliveries;
CREATE TRIGGER webhook_deliveries_wake_trigger
    AFTER UPDATE ON webhook_deliveries FOR EACH ROW
    WHEN (NEW.status = 'pending' AND NEW.locked_until IS NULL AND NEW.next_attempt_at <= now())
    EXECUTE FUNCTION webhook_wake();

-- Enabled again: its pending deliveries may go.
DROP TRIGGER IF EXISTS webhooks_wake_trigger ON webhooks;
CREATE TRIGGER webhooks_wake_trigger
    AFTER UPDATE OF enabled ON webhooks FOR EACH ROW
    WHEN (NEW.enabled AND NOT OLD.enabled)
    EXECUTE FUNCTION webhook_wake();
