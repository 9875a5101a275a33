// Why a start (or a batch, or a match) cannot go ahead, in the domain's words. The HTTP layer maps
// each to its status (src/http/routes/start-problems.ts); use cases never know about HTTP.
import type { ErrorObject } from 'ajv'

/** The type is not in the catalog. */
export class UnknownTypeError extends Error {
  override readonly name = 'UnknownTypeError'
  constructor(
    readonly types: string[],
    readonly available: string[],
  ) {
    super(`Unknown workflow type${types.length > 1 ? 's' : ''} ${types.map(quote).join(', ')}.`)
  }
}

export type UnusableReason = 'not-in-draft' | 'pending' | 'type-mismatch'

export interface UnusableFile {
  key: string
  reason: UnusableReason
}

/** Some requested files cannot go into this run: missing, still uploading, or not of the type. */
export class UnusableFilesError extends Error {
  override readonly name = 'UnusableFilesError'
  constructor(
    readonly type: string,
    readonly files: UnusableFile[],
  ) {
    super(describeUnusable(type, files))
  }
}

/** More files than the type's maxFiles. */
export class TooManyFilesError extends Error {
  override readonly name = 'TooManyFilesError'
  constructor(
    readonly type: string,
    readonly count: number,
    readonly maxFiles: number,
  ) {
    super(`Workflow type ${quote(type)} takes at most ${maxFiles} file(s); ${count} were given.`)
  }
}

/** The parameters do not match the type's JSON Schema. */
export class InvalidParametersError extends Error {
  override readonly name = 'InvalidParametersError'
  constructor(
    readonly type: string,
    readonly errors: ErrorObject[],
  ) {
    super(`The parameters do not match the schema of workflow type ${quote(type)}.`)
  }
}

export interface BusyFile {
  key: string
  /** Name of the run holding the file. */
  heldBy: string
  /** That run's phase as far as the service knows ('Pending' before Argo shows it). */
  phase: string
}

/** The lock rule: some files are in a run that has not ended. */
export class FilesBusyError extends Error {
  override readonly name = 'FilesBusyError'
  constructor(readonly busy: BusyFile[]) {
    super(
      `File${busy.length > 1 ? 's' : ''} ${busy.map((file) => `${quote(file.key)} (held by ${file.heldBy})`).join(', ')} ` +
        `${busy.length > 1 ? 'are' : 'is'} in a run that has not ended.`,
    )
  }
}

/**
 * The run's rows were written but the Workflow could not be created; an Error outcome released the
 * files. `cause` is the Kubernetes error (refused → 502, unavailable → 503).
 */
export class SubmissionFailedError extends Error {
  override readonly name = 'SubmissionFailedError'
  constructor(
    readonly runName: string,
    override readonly cause: unknown,
  ) {
    super(
      `The run ${runName} could not be created in the cluster: ${String((cause as Error)?.message ?? cause)}`,
      {
        cause,
      },
    )
  }
}

function quote(text: string): string {
  return JSON.stringify(text)
}

function describeUnusable(type: string, files: UnusableFile[]): string {
  const group = (reason: UnusableReason) =>
    files.filter((file) => file.reason === reason).map((f) => quote(f.key))
  const parts: string[] = []
  const missing = group('not-in-draft')
  const pending = group('pending')
  const mismatch = group('type-mismatch')
  if (missing.length) parts.push(`not in the draft: ${missing.join(', ')}`)
  if (pending.length) parts.push(`still being uploaded: ${pending.join(', ')}`)
  if (mismatch.length) parts.push(`not files workflow type ${quote(type)} applies to: ${mismatch.join(', ')}`)
  return `Some files cannot be used (${parts.join('; ')}).`
}
