// A run's step logs (DESIGN.md "Argo access"): the `main` container of each step's pod, every line
// tagged with its step. Without follow, what the pods hold now; with follow, step after step as they
// run, until the step (or the run) ends. A step still waiting says so; a pod already gone says so.
import { PassThrough } from 'node:stream'
import { createInterface } from 'node:readline'
import {
  isTerminal,
  LogsGoneError,
  LogsWaitingError,
  phaseOf,
  stepsOf,
  type ArgoClient,
  type Step,
  type Workflow,
  type WorkflowInformer,
} from '../argo/index.js'

export interface LogSources {
  informer: Pick<WorkflowInformer, 'get' | 'on'>
  argo: Pick<ArgoClient, 'getWorkflow' | 'streamPodLogs'>
}

export type StepState = 'waiting' | 'running' | 'ended' | 'gone'

/** Where log output goes: plain text or SSE, chosen by the route. */
export interface LogSink {
  line(step: string, text: string, id: string): void
  state(step: string, state: StepState, message: string): void
  /** False once the client has gone: stop reading. */
  readonly open: boolean
}

export interface LogQuery {
  name: string
  /** Step name, display name or template name; unset: every step. */
  step?: string
  tailLines?: number
  /** Resume after this line id (`<pod>:<line>`), e.g. from Last-Event-ID. */
  after?: string
}

/** The run is unknown to Argo: it was garbage-collected with its pods. */
export class RunLogsGoneError extends Error {
  override readonly name = 'RunLogsGoneError'
}

/** No step of that name in the run. */
export class UnknownStepError extends Error {
  override readonly name = 'UnknownStepError'
  constructor(
    readonly step: string,
    readonly known: string[],
  ) {
    super(`no step ${step}`)
  }
}

export async function currentWorkflow(sources: LogSources, name: string): Promise<Workflow> {
  const workflow = sources.informer.get(name) ?? (await sources.argo.getWorkflow(name))
  if (!workflow) throw new RunLogsGoneError(`run ${name} is no longer in the cluster`)
  return workflow
}

function matches(step: Step, wanted: string | undefined): boolean {
  return wanted === undefined || [step.name, step.displayName, step.templateName].includes(wanted)
}

function started(step: Step): boolean {
  return (
    step.startedAt !== null ||
    (step.phase !== 'Pending' && step.phase !== 'Skipped' && step.phase !== 'Omitted')
  )
}

function resumePoint(after: string | undefined): { pod: string; line: number } | undefined {
  const match = after ? /^(.+):(\d+)$/.exec(after) : null
  return match ? { pod: match[1]!, line: Number(match[2]) } : undefined
}

/** Steps to show, in run order, minus those fully sent before the resume point. */
function selectSteps(workflow: Workflow, query: LogQuery): Step[] {
  const steps = stepsOf(workflow).filter((step) => matches(step, query.step))
  const resume = resumePoint(query.after)
  if (!resume) return steps
  const index = steps.findIndex((step) => step.podName === resume.pod)
  return index < 0 ? steps : steps.slice(index)
}

/**
 * Copies the logs the pods hold now into the sink. Throws UnknownStepError for a step the finished
 * run never had, RunLogsGoneError when no selected step has logs left in the cluster.
 */
export async function readLogs(sources: LogSources, query: LogQuery, sink: LogSink): Promise<void> {
  const workflow = await currentWorkflow(sources, query.name)
  const steps = selectSteps(workflow, query)
  if (query.step !== undefined && !steps.length) {
    // A DAG task gets its node only when it is scheduled: before the run ends it may still come.
    if (isTerminal(phaseOf(workflow)))
      throw new UnknownStepError(
        query.step,
        stepsOf(workflow).map((step) => step.displayName),
      )
    sink.state(query.step, 'waiting', stateMessage('waiting'))
    return
  }
  // Read everything first, so "gone" can still be answered with a status code.
  const outputs: Array<() => void> = []
  let gone = 0
  for (const step of steps) {
    if (!started(step)) {
      outputs.push(() => sink.state(step.displayName, 'waiting', 'the step has not started yet'))
      continue
    }
    const lines: string[] = []
    const state = await copyLog(sources, step, { tailLines: query.tailLines }, (text) => lines.push(text))
    if (state === 'gone') gone++
    outputs.push(() => {
      const skip = skipFor(query, step)
      lines.forEach((text, index) => {
        if (index + 1 > skip) sink.line(step.displayName, text, `${step.podName}:${index + 1}`)
      })
      if (state !== 'ended') sink.state(step.displayName, state, stateMessage(state))
    })
  }
  if (steps.length && gone === steps.length) throw new RunLogsGoneError('logs are no longer available')
  for (const output of outputs) output()
}

function skipFor(query: LogQuery, step: Step): number {
  const resume = resumePoint(query.after)
  return resume && resume.pod === step.podName ? resume.line : 0
}

function stateMessage(state: StepState): string {
  if (state === 'gone') return 'logs are no longer available'
  if (state === 'waiting') return 'the step has not started yet'
  return ''
}

/** Streams one container's log line by line; resolves with how it ended. */
async function copyLog(
  sources: LogSources,
  step: Step,
  options: { tailLines?: number; follow?: boolean },
  onLine: (text: string) => void,
  signal?: AbortSignal,
): Promise<StepState> {
  const pipe = new PassThrough()
  const reader = createInterface({ input: pipe, crlfDelay: Infinity })
  reader.on('line', onLine)
  const closed = new Promise<void>((resolve) => reader.once('close', resolve))
  try {
    const stream = await sources.argo.streamPodLogs(step.podName, options, pipe)
    const abort = () => stream.abort()
    signal?.addEventListener('abort', abort, { once: true })
    await stream.done.finally(() => signal?.removeEventListener('abort', abort))
    await closed
    return 'ended'
  } catch (error) {
    pipe.destroy()
    if (error instanceof LogsGoneError) return 'gone'
    if (error instanceof LogsWaitingError) return 'waiting'
    throw error
  }
}

/**
 * Follows the run's steps one after the other as they start, until the selected step (or every
 * step) has ended, the run has ended, or the client has gone (`signal`).
 */
export async function followLogs(
  sources: LogSources,
  query: LogQuery,
  sink: LogSink,
  signal: AbortSignal,
): Promise<string> {
  const done = new Set<string>()
  const announced = new Set<string>()
  for (;;) {
    if (signal.aborted || !sink.open) return 'client gone'
    const workflow = sources.informer.get(query.name) ?? (await sources.argo.getWorkflow(query.name))
    if (!workflow) return 'the run is no longer in the cluster'
    const steps = selectSteps(workflow, query).filter((step) => !done.has(step.id))
    const next = steps.find(started)
    if (next) {
      const skip = skipFor(query, next)
      let count = 0
      const state = await copyLog(
        sources,
        next,
        { follow: true, tailLines: skip ? undefined : query.tailLines },
        (text) => {
          count++
          if (count > skip) sink.line(next.displayName, text, `${next.podName}:${count}`)
        },
        signal,
      )
      if (state === 'waiting') {
        // The node says it started, the container does not yet: wait for the next change.
        if (!announced.has(next.id)) sink.state(next.displayName, 'waiting', stateMessage('waiting'))
        announced.add(next.id)
        await changeOf(sources, query.name, signal, 1_000)
        continue
      }
      sink.state(next.displayName, state, state === 'gone' ? stateMessage('gone') : 'the step has ended')
      done.add(next.id)
      if (query.step !== undefined) return 'the step has ended'
      continue
    }
    if (isTerminal(phaseOf(workflow))) return 'the run has ended'
    if (query.step !== undefined && !steps.length && !announced.has(query.step)) {
      announced.add(query.step)
      sink.state(query.step, 'waiting', stateMessage('waiting'))
    }
    for (const step of steps) {
      if (announced.has(step.id)) continue
      announced.add(step.id)
      sink.state(step.displayName, 'waiting', stateMessage('waiting'))
    }
    await changeOf(sources, query.name, signal, 5_000)
  }
}

/** Resolves at the next informer change of the run, on abort, or after `maxMs` at the latest. */
function changeOf(sources: LogSources, name: string, signal: AbortSignal, maxMs: number): Promise<void> {
  return new Promise((resolve) => {
    const stops: Array<() => void> = []
    const finish = () => {
      for (const stop of stops.splice(0)) stop()
      resolve()
    }
    const onChange = (workflow: Workflow) => workflow.metadata.name === name && finish()
    stops.push(sources.informer.on('update', onChange), sources.informer.on('delete', onChange))
    const timer = setTimeout(finish, maxMs)
    stops.push(() => clearTimeout(timer))
    const onAbort = () => finish()
    signal.addEventListener('abort', onAbort, { once: true })
    stops.push(() => signal.removeEventListener('abort', onAbort))
  })
}
