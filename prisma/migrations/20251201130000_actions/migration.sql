-- Audit of run actions (stop, terminate, suspend, resume, retry, resubmit): one row per request that
-- reached a run the caller may steer, whatever its result. Write-once like the init tables, reusing
-- their trigger functions; a purge of the record deletes a run's actions with the run.

-- CreateTable
CREATE TABLE "compchem_workflow_action" (
    "id" BIGSERIAL NOT NULL,
    "workflow_id" BIGINT NOT NULL,
    "action" TEXT NOT NULL,
    "requested_by" TEXT NOT NULL,
    "requested_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "result" TEXT NOT NULL,
    "detail" JSONB NOT NULL DEFAULT '{}',

    CONSTRAINT "compchem_workflow_action_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "compchem_workflow_action_action_check"
        CHECK ("action" IN ('stop', 'terminate', 'suspend', 'resume', 'retry', 'resubmit')),
    CONSTRAINT "compchem_workflow_action_result_check"
        CHECK ("result" IN ('accepted', 'already-in-effect', 'refused', 'failed'))
);

-- CreateIndex
CREATE INDEX "compchem_workflow_action_workflow_id_idx" ON "compchem_workflow_action"("workflow_id");

CREATE TRIGGER "compchem_workflow_action_write_once" BEFORE UPDATE OR DELETE ON "compchem_workflow_action"
    FOR EACH ROW EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_workflow_action_no_truncate" BEFORE TRUNCATE ON "compchem_workflow_action"
    FOR EACH STATEMENT EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_workflow_action_references" BEFORE INSERT ON "compchem_workflow_action"
    FOR EACH ROW EXECUTE FUNCTION "compchem_require_references"();

-- Inside a purge transaction only (outside one this does nothing and the run's own write-once
-- trigger refuses the DELETE). Named to sort before "compchem_workflow_write_once".
CREATE FUNCTION "compchem_purge_actions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('compchem.purge', true) = pg_current_xact_id()::text THEN
        DELETE FROM "compchem_workflow_action" WHERE "workflow_id" = OLD."id";
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER "compchem_workflow_purge_actions" BEFORE DELETE ON "compchem_workflow"
    FOR EACH ROW EXECUTE FUNCTION "compchem_purge_actions"();
