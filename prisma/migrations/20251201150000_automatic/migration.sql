-- Automatic processing (docs/invenio-integration.md): a durable, write-once queue of automatic start
-- requests and one resolution row per request. The unique key (record, file, checksum, type) on the
-- requests is what makes an automatic run start at most once, however often and however concurrently
-- the upload event arrives; the primary key of the resolutions lets exactly one replica start (or
-- reuse, or skip) each request. A request is waiting while it has no resolution row.

-- CreateTable
CREATE TABLE "compchem_auto_request" (
    "id" BIGSERIAL NOT NULL,
    "record_id" TEXT NOT NULL,
    "file_key" TEXT NOT NULL,
    "checksum" TEXT NOT NULL,
    "workflow_type" TEXT NOT NULL,
    "mimetype" TEXT NOT NULL,
    "size" BIGINT,
    "source" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "compchem_auto_request_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "compchem_auto_request_source_check" CHECK ("source" IN ('event', 'sync', 'sweep'))
);

-- CreateTable
CREATE TABLE "compchem_auto_resolution" (
    "request_id" BIGINT NOT NULL,
    "outcome" TEXT NOT NULL,
    "workflow_id" BIGINT,
    "reason" TEXT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "compchem_auto_resolution_pkey" PRIMARY KEY ("request_id"),
    CONSTRAINT "compchem_auto_resolution_outcome_check" CHECK ("outcome" IN ('started', 'reused', 'skipped')),
    CONSTRAINT "compchem_auto_resolution_workflow_check" CHECK ("outcome" = 'skipped' OR "workflow_id" IS NOT NULL)
);

-- CreateIndex
CREATE UNIQUE INDEX "compchem_auto_request_record_id_file_key_checksum_workflow_type_key"
    ON "compchem_auto_request"("record_id", "file_key", "checksum", "workflow_type");
CREATE INDEX "compchem_auto_resolution_workflow_id_idx" ON "compchem_auto_resolution"("workflow_id");

CREATE FUNCTION "compchem_auto_resolution_references"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM "compchem_auto_request" WHERE "id" = NEW."request_id" FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'compchem_auto_resolution: request % does not exist', NEW."request_id"
            USING ERRCODE = 'foreign_key_violation', COLUMN = 'request_id';
    END IF;
    IF NEW."workflow_id" IS NOT NULL THEN
        PERFORM 1 FROM "compchem_workflow" WHERE "id" = NEW."workflow_id" FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'compchem_auto_resolution: workflow % does not exist', NEW."workflow_id"
                USING ERRCODE = 'foreign_key_violation', COLUMN = 'workflow_id';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

-- A purge of a record deletes its runs; resolutions pointing at them go first, inside the same purge
-- transaction (outside one this does nothing and the write-once triggers refuse).
CREATE FUNCTION "compchem_purge_auto_resolutions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('compchem.purge', true) = pg_current_xact_id()::text THEN
        DELETE FROM "compchem_auto_resolution" WHERE "workflow_id" = OLD."id";
    END IF;
    RETURN OLD;
END
$$;

CREATE TRIGGER "compchem_auto_request_write_once" BEFORE UPDATE OR DELETE ON "compchem_auto_request"
    FOR EACH ROW EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_auto_request_no_truncate" BEFORE TRUNCATE ON "compchem_auto_request"
    FOR EACH STATEMENT EXECUTE FUNCTION "compchem_write_once"();

CREATE TRIGGER "compchem_auto_resolution_write_once" BEFORE UPDATE OR DELETE ON "compchem_auto_resolution"
    FOR EACH ROW EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_auto_resolution_no_truncate" BEFORE TRUNCATE ON "compchem_auto_resolution"
    FOR EACH STATEMENT EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_auto_resolution_references" BEFORE INSERT ON "compchem_auto_resolution"
    FOR EACH ROW EXECUTE FUNCTION "compchem_auto_resolution_references"();

-- Named to sort before "compchem_workflow_write_once", so it runs first within a purge.
CREATE TRIGGER "compchem_workflow_purge_auto_resolutions" BEFORE DELETE ON "compchem_workflow"
    FOR EACH ROW EXECUTE FUNCTION "compchem_purge_auto_resolutions"();
