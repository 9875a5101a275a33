// GET pods/{name}/log: container, follow, tailLines, sinceSeconds, timestamps, with the kubelet's
// answers while a container is not running yet.
import type { ServerResponse } from 'node:http'
import type { KubeObject, LogLine } from '../types.js'
import { badRequest, notFound } from './errors.js'
import type { PodLogStore } from '../types.js'
import { RESOURCES } from './resources.js'
import type { MemoryStore } from './store.js'

interface ContainerSpec {
  name: string
}

interface ContainerStatus {
  name: string
  state?: { waiting?: { reason?: string } }
}

export interface PodLogRequest {
  store: MemoryStore
  logs: PodLogStore
  namespace: string
  pod: string
  query: URLSearchParams
  now: () => Date
}

function containerNames(pod: KubeObject): string[] {
  const spec = (pod.spec ?? {}) as { containers?: ContainerSpec[]; initContainers?: ContainerSpec[] }
  return [...(spec.initContainers ?? []), ...(spec.containers ?? [])].map((c) => c.name)
}

function waitingReason(pod: KubeObject, container: string): string {
  const status = (pod.status ?? {}) as {
    containerStatuses?: ContainerStatus[]
    initContainerStatuses?: ContainerStatus[]
  }
  const all = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])]
  return all.find((c) => c.name === container)?.state?.waiting?.reason ?? 'PodInitializing'
}

function render(line: LogLine, timestamps: boolean): string {
  return timestamps ? `${line.time} ${line.text}\n` : `${line.text}\n`
}

export function servePodLog(res: ServerResponse, request: PodLogRequest): void {
  const { store, logs, namespace, pod: podName, query } = request
  const pod = store.get('pods', namespace, podName)
  if (!pod) throw notFound(RESOURCES.pods, podName)
  const names = containerNames(pod)
  let container = query.get('container') ?? ''
  if (!container) {
    const main = (((pod.spec ?? {}) as { containers?: ContainerSpec[] }).containers ?? []).map((c) => c.name)
    if (main.length !== 1) {
      throw badRequest(
        `a container name must be specified for pod ${podName}, choose one of: [${names.join(' ')}]`,
      )
    }
    container = main[0] as string
  }
  if (names.length > 0 && !names.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${podName}`)
  }
  const state = logs.state(namespace, podName, container)
  if (!state || state === 'waiting') {
    throw badRequest(
      `container "${container}" in pod "${podName}" is waiting to start: ${waitingReason(pod, container)}`,
    )
  }
  const timestamps = query.get('timestamps') === 'true'
  let lines = logs.lines(namespace, podName, container)
  const sinceSeconds = Number(query.get('sinceSeconds') ?? '0')
  if (sinceSeconds > 0) {
    const from = request.now().getTime() - sinceSeconds * 1000
    lines = lines.filter((line) => Date.parse(line.time) >= from)
  }
  const tail = query.get('tailLines')
  if (tail !== null && Number(tail) >= 0) lines = Number(tail) === 0 ? [] : lines.slice(-Number(tail))

  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private' })
  res.flushHeaders()
  for (const line of lines) res.write(render(line, timestamps))
  if (query.get('follow') !== 'true' || state === 'terminated') {
    res.end()
    return
  }
  const stop = logs.follow(namespace, podName, container, (line) => {
    if (line) res.write(render(line, timestamps))
    else res.end()
  })
  res.on('close', stop)
}
