-- The four write-once tables of prisma/schema.prisma. Rows are inserted and never changed: triggers
-- refuse UPDATE and TRUNCATE always, and DELETE outside a purge transaction (docs/adr/0003).

-- CreateTable
CREATE TABLE "compchem_file" (
    "id" BIGSERIAL NOT NULL,
    "record_id" TEXT NOT NULL,
    "file_key" TEXT NOT NULL,
    "mimetype" TEXT NOT NULL,
    "size" BIGINT,
    "checksum" TEXT NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "compchem_file_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "compchem_file_size_check" CHECK ("size" IS NULL OR "size" >= 0)
);

-- CreateTable
CREATE TABLE "compchem_workflow" (
    "id" BIGSERIAL NOT NULL,
    "record_id" TEXT NOT NULL,
    "workflow_type" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "created_by" TEXT NOT NULL,
    "parameters" JSONB NOT NULL DEFAULT '{}',
    "template_digest" TEXT,
    "resubmitted_from" BIGINT,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "compchem_workflow_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "compchem_workflow_seq_check" CHECK ("seq" > 0)
);

-- CreateTable
CREATE TABLE "compchem_workflow_file" (
    "workflow_id" BIGINT NOT NULL,
    "file_id" BIGINT NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "compchem_workflow_file_pkey" PRIMARY KEY ("workflow_id","file_id"),
    CONSTRAINT "compchem_workflow_file_position_check" CHECK ("position" >= 0)
);

-- CreateTable
CREATE TABLE "compchem_workflow_outcome" (
    "workflow_id" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "phase" TEXT NOT NULL,
    "started_at" TIMESTAMPTZ(6),
    "finished_at" TIMESTAMPTZ(6),
    "message" TEXT,
    "results" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "compchem_workflow_outcome_pkey" PRIMARY KEY ("workflow_id","attempt"),
    CONSTRAINT "compchem_workflow_outcome_attempt_check" CHECK ("attempt" >= 0)
);

-- CreateIndex
CREATE UNIQUE INDEX "compchem_file_record_id_file_key_checksum_key" ON "compchem_file"("record_id", "file_key", "checksum");

-- CreateIndex
CREATE UNIQUE INDEX "compchem_workflow_name_key" ON "compchem_workflow"("name");

-- CreateIndex
CREATE UNIQUE INDEX "compchem_workflow_record_id_seq_key" ON "compchem_workflow"("record_id", "seq");

-- CreateIndex
CREATE INDEX "compchem_workflow_file_file_id_idx" ON "compchem_workflow_file"("file_id");

-- Write-once guard. DELETE passes only inside a purge transaction, one that has set
-- compchem.purge to its own transaction id (purgeRecord does:
-- `SELECT set_config('compchem.purge', pg_current_xact_id()::text, true)`), so the permission can
-- neither be set for a whole session nor outlive the transaction; and then only for rows nothing
-- refers to.
CREATE FUNCTION "compchem_write_once"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('compchem.purge', true) = pg_current_xact_id()::text THEN
        IF TG_TABLE_NAME = 'compchem_workflow' THEN
            IF EXISTS (SELECT 1 FROM "compchem_workflow_file" WHERE "workflow_id" = OLD."id")
                OR EXISTS (SELECT 1 FROM "compchem_workflow_outcome" WHERE "workflow_id" = OLD."id") THEN
                RAISE EXCEPTION 'compchem_workflow row % is still referenced: delete its links and outcomes first', OLD."id"
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
        ELSIF TG_TABLE_NAME = 'compchem_file' THEN
            IF EXISTS (SELECT 1 FROM "compchem_workflow_file" WHERE "file_id" = OLD."id") THEN
                RAISE EXCEPTION 'compchem_file row % is still referenced: delete its links first', OLD."id"
                    USING ERRCODE = 'foreign_key_violation';
            END IF;
        END IF;
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is write-once: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'CCW01',
              HINT = CASE TG_OP WHEN 'DELETE'
                  THEN 'rows are deleted only by a purge (fileprocessor purge --record <id>)'
                  ELSE 'rows are never changed: insert a new row instead' END;
END
$$;

-- References, checked on insert. FOREIGN KEY constraints would be checked before the TRUNCATE
-- triggers fire and so hide the write-once refusal of a referenced table.
CREATE FUNCTION "compchem_require_references"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'compchem_workflow' THEN
        IF NEW."resubmitted_from" IS NOT NULL THEN
            PERFORM 1 FROM "compchem_workflow" WHERE "id" = NEW."resubmitted_from" FOR KEY SHARE;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'compchem_workflow %: resubmitted_from % does not exist', NEW."name", NEW."resubmitted_from"
                    USING ERRCODE = 'foreign_key_violation', COLUMN = 'resubmitted_from';
            END IF;
        END IF;
        RETURN NEW;
    END IF;
    PERFORM 1 FROM "compchem_workflow" WHERE "id" = NEW."workflow_id" FOR KEY SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION '%: workflow % does not exist', TG_TABLE_NAME, NEW."workflow_id"
            USING ERRCODE = 'foreign_key_violation', COLUMN = 'workflow_id';
    END IF;
    IF TG_TABLE_NAME = 'compchem_workflow_file' THEN
        PERFORM 1 FROM "compchem_file" WHERE "id" = NEW."file_id" FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION '%: file % does not exist', TG_TABLE_NAME, NEW."file_id"
                USING ERRCODE = 'foreign_key_violation', COLUMN = 'file_id';
        END IF;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER "compchem_file_write_once" BEFORE UPDATE OR DELETE ON "compchem_file"
    FOR EACH ROW EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_file_no_truncate" BEFORE TRUNCATE ON "compchem_file"
    FOR EACH STATEMENT EXECUTE FUNCTION "compchem_write_once"();

CREATE TRIGGER "compchem_workflow_write_once" BEFORE UPDATE OR DELETE ON "compchem_workflow"
    FOR EACH ROW EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_workflow_no_truncate" BEFORE TRUNCATE ON "compchem_workflow"
    FOR EACH STATEMENT EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_workflow_references" BEFORE INSERT ON "compchem_workflow"
    FOR EACH ROW EXECUTE FUNCTION "compchem_require_references"();

CREATE TRIGGER "compchem_workflow_file_write_once" BEFORE UPDATE OR DELETE ON "compchem_workflow_file"
    FOR EACH ROW EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_workflow_file_no_truncate" BEFORE TRUNCATE ON "compchem_workflow_file"
    FOR EACH STATEMENT EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_workflow_file_references" BEFORE INSERT ON "compchem_workflow_file"
    FOR EACH ROW EXECUTE FUNCTION "compchem_require_references"();

CREATE TRIGGER "compchem_workflow_outcome_write_once" BEFORE UPDATE OR DELETE ON "compchem_workflow_outcome"
    FOR EACH ROW EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_workflow_outcome_no_truncate" BEFORE TRUNCATE ON "compchem_workflow_outcome"
    FOR EACH STATEMENT EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_workflow_outcome_references" BEFORE INSERT ON "compchem_workflow_outcome"
    FOR EACH ROW EXECUTE FUNCTION "compchem_require_references"();
