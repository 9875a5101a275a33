// GET /api/v1/workflows/{name}/logs: a run's step logs as plain text, or as SSE when the client
// accepts text/event-stream (openapi.yaml, "streams"). The reading is src/streams/log-stream.ts.
import type { Request, Response, Router } from 'express'
import type { AuthDependencies } from '../../auth/index.js'
import type { ArgoClient, WorkflowInformer } from '../../argo/index.js'
import type { Settings } from '../../config/index.js'
import { findRunByName, type Database } from '../../db/index.js'
import {
  followLogs,
  readLogs,
  RunLogsGoneError,
  SseConnection,
  UnknownStepError,
  type LogQuery,
  type LogSink,
} from '../../streams/index.js'
import { callerOf, checkRecordAccess, requireUser } from '../auth.js'
import { gone, notFound } from '../problem.js'
import { lastEventIdOf } from './events.js'

export interface LogRoutesContext extends AuthDependencies {
  db: Pick<Database, 'prisma'>
  informer: Pick<WorkflowInformer, 'get' | 'on'>
  argo: Pick<ArgoClient, 'getWorkflow' | 'streamPodLogs'>
  settings: Pick<Settings, 'sseHeartbeatSeconds'>
}

export function addLogRoutes(router: Router, context: LogRoutesContext): void {
  router.get('/api/v1/workflows/:name/logs', requireUser(context), async (req: Request, res: Response) => {
    const name = String(req.params.name)
    const run = await findRunByName(context.db.prisma, name)
    if (!run) throw notFound(`No run ${name}.`, { name })
    await checkRecordAccess(context, callerOf(res).token, run.recordId)

    const query: LogQuery = {
      name,
      step: stringOf(req.query.step),
      tailLines: req.query.tailLines === undefined ? undefined : Number(req.query.tailLines),
      after: lastEventIdOf(req),
    }
    const follow = req.query.follow === 'true' || (req.query.follow as unknown) === true
    const sse = req.accepts(['text/plain', 'text/event-stream']) === 'text/event-stream'
    const workflow = context.informer.get(name) ?? (await context.argo.getWorkflow(name))
    if (!workflow) throw gone('The logs are no longer available: the run has been removed from the cluster.')
    const finished =
      workflow.status?.phase === 'Succeeded' ||
      workflow.status?.phase === 'Failed' ||
      workflow.status?.phase === 'Error'

    try {
      if (!follow || finished) {
        // A finished run's logs are complete: the same answer with or without follow.
        const buffered: Array<(sink: LogSink) => void> = []
        await readLogs(context, query, {
          open: true,
          line: (...args) => buffered.push((sink) => sink.line(...args)),
          state: (...args) => buffered.push((sink) => sink.state(...args)),
        })
        if (sse) {
          const connection = new SseConnection(res, {
            heartbeatMs: context.settings.sseHeartbeatSeconds * 1000,
          })
          connection.open()
          const sink = sseSink(connection)
          for (const replay of buffered) replay(sink)
          const reason = finished ? 'the run has ended' : 'the logs so far (no follow)'
          connection.close({ event: 'end', data: JSON.stringify({ reason }) })
          return
        }
        let text = ''
        const sink: LogSink = {
          open: true,
          line: (step, line) => (text += textLine(step, line)),
          state: (step, state, message) => (text += textLine(step, `-- ${state}: ${message}`)),
        }
        for (const replay of buffered) replay(sink)
        res.type('text/plain; charset=utf-8').send(text)
        return
      }
    } catch (error) {
      if (error instanceof RunLogsGoneError)
        throw gone('The logs are no longer available: the step pods are gone.', { name })
      if (error instanceof UnknownStepError)
        throw notFound(`Run ${name} has no step ${error.step}.`, { name, steps: error.known })
      throw error
    }

    const abort = new AbortController()
    res.once('close', () => abort.abort())
    let sink: LogSink
    let finish: (reason: string) => void
    if (sse) {
      const connection = new SseConnection(res, { heartbeatMs: context.settings.sseHeartbeatSeconds * 1000 })
      connection.open()
      sink = sseSink(connection)
      finish = (reason) => connection.close({ event: 'end', data: JSON.stringify({ reason }) })
    } else {
      res.status(200).type('text/plain; charset=utf-8').setHeader('X-Accel-Buffering', 'no')
      res.setHeader('Cache-Control', 'no-cache, no-transform')
      res.flushHeaders()
      sink = {
        get open() {
          return !res.writableEnded && !res.destroyed
        },
        line: (step, text) => res.write(textLine(step, text)),
        state: (step, state, message) => res.write(textLine(step, `-- ${state}: ${message}`)),
      }
      finish = (reason) => res.end(`-- ${reason}\n`)
    }
    try {
      finish(await followLogs(context, query, sink, abort.signal))
    } catch (error) {
      finish(`logs interrupted: ${error instanceof Error ? error.message : String(error)}`)
    }
  })
}

function sseSink(connection: SseConnection): LogSink {
  return {
    get open() {
      return !connection.closed
    },
    line: (step, text, id) =>
      connection.send({ id, event: 'log', data: JSON.stringify({ step, line: text }) }),
    state: (step, state, message) =>
      connection.send({ event: 'step', data: JSON.stringify({ step, state, message }) }),
  }
}

function textLine(step: string, text: string): string {
  return `[${step}] ${text}\n`
}

function stringOf(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined
}
