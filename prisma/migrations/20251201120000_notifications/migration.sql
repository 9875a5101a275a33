-- Notification outbox (docs/notifications.md): one row per finished (run, attempt) and delivery target,
-- written in the same transaction as the outcome row by the replica whose outcome insert won, and
-- one row per delivery try. Both write-once like the init tables: a notification is pending while it
-- has no final delivery row, so a sender that crashed is recovered by whoever sweeps the outbox next.

-- CreateTable
CREATE TABLE "compchem_notification" (
    "id" TEXT NOT NULL,
    "workflow_id" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "channel" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "compchem_notification_pkey" PRIMARY KEY ("id","channel","target"),
    CONSTRAINT "compchem_notification_channel_check" CHECK ("channel" IN ('webhook', 'email')),
    CONSTRAINT "compchem_notification_attempt_check" CHECK ("attempt" >= 0)
);

-- CreateTable
CREATE TABLE "compchem_notification_delivery" (
    "notification_id" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "target" TEXT NOT NULL,
    "try" INTEGER NOT NULL,
    "state" TEXT NOT NULL,
    "status_code" INTEGER,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "compchem_notification_delivery_pkey" PRIMARY KEY ("notification_id","channel","target","try"),
    CONSTRAINT "compchem_notification_delivery_state_check" CHECK ("state" IN ('failed', 'delivered', 'abandoned')),
    CONSTRAINT "compchem_notification_delivery_try_check" CHECK ("try" >= 1)
);

-- CreateIndex
CREATE INDEX "compchem_notification_workflow_id_idx" ON "compchem_notification"("workflow_id");

CREATE FUNCTION "compchem_notification_delivery_references"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM "compchem_notification"
     WHERE "id" = NEW."notification_id" AND "channel" = NEW."channel" AND "target" = NEW."target" FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'compchem_notification_delivery: notification % (%) does not exist', NEW."notification_id", NEW."channel"
            USING ERRCODE = 'foreign_key_violation', COLUMN = 'notification_id';
    END IF;
    RETURN NEW;
END
$$;

-- A purge of a record deletes its runs; their notifications go with them, inside the same purge
-- transaction (outside one this does nothing and the run's own write-once trigger refuses).
CREATE FUNCTION "compchem_purge_notifications"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('compchem.purge', true) = pg_current_xact_id()::text THEN
        DELETE FROM "compchem_notification_delivery" d USING "compchem_notification" n
         WHERE d."notification_id" = n."id" AND d."channel" = n."channel" AND d."target" = n."target"
           AND n."workflow_id" = OLD."id";
        DELETE FROM "compchem_notification" WHERE "workflow_id" = OLD."id";
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER "compchem_notification_write_once" BEFORE UPDATE OR DELETE ON "compchem_notification"
    FOR EACH ROW EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_notification_no_truncate" BEFORE TRUNCATE ON "compchem_notification"
    FOR EACH STATEMENT EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_notification_references" BEFORE INSERT ON "compchem_notification"
    FOR EACH ROW EXECUTE FUNCTION "compchem_require_references"();

CREATE TRIGGER "compchem_notification_delivery_write_once" BEFORE UPDATE OR DELETE ON "compchem_notification_delivery"
    FOR EACH ROW EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_notification_delivery_no_truncate" BEFORE TRUNCATE ON "compchem_notification_delivery"
    FOR EACH STATEMENT EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_notification_delivery_references" BEFORE INSERT ON "compchem_notification_delivery"
    FOR EACH ROW EXECUTE FUNCTION "compchem_notification_delivery_references"();

-- Named to sort before "compchem_workflow_write_once", so it runs first within a purge.
CREATE TRIGGER "compchem_workflow_purge_notifications" BEFORE DELETE ON "compchem_workflow"
    FOR EACH ROW EXECUTE FUNCTION "compchem_purge_notifications"();
