-- Run tokens (docs/security.md): one row per token minted for a run attempt. Only the SHA-256 of the
-- token is stored; the token itself reaches the pods through a Secret owned by the Workflow. A token
-- is valid while unexpired and while its run has not ended (decided at request time, never stored).
-- Write-once like the init tables: rows go only with a purge of their record.

-- CreateTable
CREATE TABLE "compchem_run_token" (
    "token_hash" TEXT NOT NULL,
    "workflow_id" BIGINT NOT NULL,
    "attempt" INTEGER NOT NULL,
    "expires_at" TIMESTAMPTZ(6) NOT NULL,
    "created_at" TIMESTAMPTZ(6) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "compchem_run_token_pkey" PRIMARY KEY ("token_hash"),
    CONSTRAINT "compchem_run_token_attempt_check" CHECK ("attempt" >= 1),
    CONSTRAINT "compchem_run_token_hash_check" CHECK (char_length("token_hash") = 43)
);

-- CreateIndex
CREATE INDEX "compchem_run_token_workflow_id_idx" ON "compchem_run_token"("workflow_id");

CREATE TRIGGER "compchem_run_token_write_once" BEFORE UPDATE OR DELETE ON "compchem_run_token"
    FOR EACH ROW EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_run_token_no_truncate" BEFORE TRUNCATE ON "compchem_run_token"
    FOR EACH STATEMENT EXECUTE FUNCTION "compchem_write_once"();
CREATE TRIGGER "compchem_run_token_references" BEFORE INSERT ON "compchem_run_token"
    FOR EACH ROW EXECUTE FUNCTION "compchem_require_references"();
