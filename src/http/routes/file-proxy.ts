// The file proxy for workflow pods (docs/security.md): with their run token (checked by
// enforcePolicy: genuine, unexpired, run not ended, this run), pods read their run's input files
// and write results back to the draft. Invenio is reached with the service's own credentials.
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'
import type { Request, Response, Router } from 'express'
import type { Database, RunRow } from '../../db/index.js'
import { findRunByName } from '../../db/runs.js'
import { SERVICE_CREDENTIALS, type InvenioClient, type InvenioRecord } from '../../invenio/index.js'
import { identityOf } from '../auth.js'
import { badRequest, conflict, forbidden, HttpProblem, notFound } from '../problem.js'

export interface FileProxyContext {
  db: Pick<Database, 'prisma'>
  invenio: InvenioClient
}

/** Longest file key accepted; Invenio's own limit is of the same order. */
export const MAX_FILE_KEY_LENGTH = 1024

/** The decoded key, or 400: no control characters, no empty, '.' or '..' segments, not too long. */
export function checkedFileKey(raw: string | undefined): string {
  if (raw === undefined || raw === '')
    throw badRequest('The file key is missing or not valid percent-encoding.')
  if (raw.length > MAX_FILE_KEY_LENGTH)
    throw badRequest(`The file key is longer than ${MAX_FILE_KEY_LENGTH}.`)
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw badRequest('The file key contains control characters.')
  if (raw.split('/').some((part) => part === '' || part === '.' || part === '..'))
    throw badRequest('The file key has an empty, "." or ".." segment.')
  return raw
}

async function runOf(context: FileProxyContext, res: Response): Promise<RunRow> {
  const identity = identityOf(res)
  if (identity.kind !== 'run') throw forbidden("This route is for a run's own pods (its run token).")
  const run = await findRunByName(context.db.prisma, identity.runName)
  if (!run) throw notFound(`No run ${identity.runName}.`)
  return run
}

async function draftOf(context: FileProxyContext, recordId: string): Promise<InvenioRecord> {
  return context.invenio.getDraft(recordId, SERVICE_CREDENTIALS)
}

export function addFileProxyRoutes(router: Router, context: FileProxyContext): void {
  router.get('/api/v1/runs/:name/files/:key', async (req: Request, res: Response) => {
    const key = checkedFileKey(req.params.key as string | undefined)
    const run = await runOf(context, res)
    if (!run.files.some((file) => file.fileKey === key))
      throw forbidden(`${JSON.stringify(key)} is not an input file of run ${run.name}.`)
    const draft = await draftOf(context, run.recordId)
    const entries = await context.invenio.listDraftFiles(draft, SERVICE_CREDENTIALS)
    const entry = entries.find((candidate) => candidate.key === key)
    if (!entry) throw notFound(`The draft of record ${run.recordId} no longer has ${JSON.stringify(key)}.`)

    const abort = new AbortController()
    res.once('close', () => abort.abort())
    const upstream = await context.invenio.streamFileContent(entry, SERVICE_CREDENTIALS, req.get('range'), {
      signal: abort.signal,
    })
    const { headers } = upstream
    if (upstream.status === 416) {
      await upstream.body?.cancel().catch(() => undefined)
      throw new HttpProblem({
        kind: 'range-not-satisfiable',
        detail: `The range ${req.get('range') ?? ''} lies outside ${JSON.stringify(key)}.`,
        headers: headers.contentRange ? { 'Content-Range': headers.contentRange } : {},
      })
    }
    res.status(upstream.status)
    res.setHeader('Content-Type', headers.contentType ?? 'application/octet-stream')
    if (headers.contentLength) res.setHeader('Content-Length', headers.contentLength)
    if (headers.contentRange) res.setHeader('Content-Range', headers.contentRange)
    res.setHeader('Accept-Ranges', headers.acceptRanges ?? 'bytes')
    if (headers.etag) res.setHeader('ETag', headers.etag)
    if (headers.lastModified) res.setHeader('Last-Modified', headers.lastModified)
    res.setHeader('Cache-Control', 'no-store')
    try {
      await pipeline(Readable.fromWeb(upstream.body as WebReadableStream<Uint8Array>), res)
    } catch (error) {
      // The pod went away, or Invenio broke off mid-file: the pod retries, nothing to answer.
      if (!res.destroyed) res.destroy(error as Error)
    }
  })

  router.put('/api/v1/runs/:name/results/:key', async (req: Request, res: Response) => {
    const key = checkedFileKey(req.params.key as string | undefined)
    const run = await runOf(context, res)
    if (run.files.some((file) => file.fileKey === key))
      throw forbidden(`${JSON.stringify(key)} is an input of run ${run.name}; results cannot replace inputs.`)
    const draft = await draftOf(context, run.recordId).catch((error: unknown) => {
      throw (error as Error).name === 'NotFoundError'
        ? conflict(`Record ${run.recordId} has no draft to write results to.`)
        : error
    })
    const length = req.get('content-length')
    const abort = new AbortController()
    res.once('close', () => {
      if (!res.writableFinished) abort.abort()
    })
    const body = Readable.toWeb(req) as unknown as ReadableStream<Uint8Array>
    const stored = await context.invenio.uploadResultFile(draft, key, body, SERVICE_CREDENTIALS, {
      contentLength: length && /^\d+$/.test(length) ? Number(length) : undefined,
      signal: abort.signal,
    })
    res.status(201).json({ key: stored.key, size: stored.size, checksum: stored.checksum, generated: true })
  })
}
