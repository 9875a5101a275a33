// The processing use cases' refusals as problem details (DESIGN.md "Errors and input").
import { KubeAccessError, UnavailableError } from '../../argo/index.js'
import { Prisma } from '../../db/generated/client.js'
import {
  FilesBusyError,
  InvalidParametersError,
  SubmissionFailedError,
  TooManyFilesError,
  UnknownTypeError,
  UnusableFilesError,
} from '../../processing/errors.js'
import { badGateway, conflict, serviceUnavailable, unprocessable, type HttpProblem } from '../problem.js'

/** The problem for a processing error, or undefined for anything else (rethrow it). */
export function processingProblem(error: unknown): HttpProblem | undefined {
  if (error instanceof UnknownTypeError)
    return unprocessable(`${error.message} Available: ${error.available.join(', ')}.`, {
      unknownTypes: error.types,
      available: error.available,
    })
  if (error instanceof UnusableFilesError) return unprocessable(error.message, { files: error.files })
  if (error instanceof TooManyFilesError)
    return unprocessable(error.message, { maxFiles: error.maxFiles, count: error.count })
  if (error instanceof InvalidParametersError)
    return unprocessable(error.message, {
      errors: error.errors.map((failure) => ({
        path: `/parameters${failure.instancePath}`,
        message: failure.message ?? 'is invalid',
        errorCode: failure.keyword,
        params: failure.params,
      })),
    })
  if (error instanceof FilesBusyError) return conflict(error.message, { busyFiles: error.busy })
  if (error instanceof SubmissionFailedError) {
    const extensions = { run: error.runName }
    if (error.cause instanceof UnavailableError)
      return serviceUnavailable(
        `Kubernetes is unavailable; run ${error.runName} was not created and its files are free again.`,
        error.cause.retryAfterSeconds,
        extensions,
        error,
      )
    if (error.cause instanceof KubeAccessError)
      return badGateway(
        `Kubernetes refused the Workflow; run ${error.runName} was recorded as Error and its files are free again.`,
        extensions,
        error,
      )
  }
  // Prisma's "unable to start a transaction in time": the database is overloaded, not the caller wrong.
  if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2028')
    return serviceUnavailable('The database is busy; try again shortly.', 2, {}, error)
  return undefined
}

/** Runs a use case, turning its refusals into problems. */
export async function asProblem<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    throw processingProblem(error) ?? error
  }
}
