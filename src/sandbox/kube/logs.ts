// Container logs of sandbox pods: the controller simulator writes them, pods/log reads and follows them.
import type { LogLine, PodLogStore, SandboxClock } from '../types.js'

type ContainerState = 'waiting' | 'running' | 'terminated'

interface ContainerLog {
  state: ContainerState
  lines: LogLine[]
  followers: Set<(line: LogLine | undefined) => void>
}

export interface MemoryPodLogStoreOptions {
  clock?: Pick<SandboxClock, 'now'>
}

export class MemoryPodLogStore implements PodLogStore {
  private readonly containers = new Map<string, ContainerLog>()
  private readonly clock: Pick<SandboxClock, 'now'>

  constructor(options: MemoryPodLogStoreOptions = {}) {
    this.clock = options.clock ?? { now: () => new Date() }
  }

  append(namespace: string, pod: string, container: string, text: string): void {
    const log = this.container(namespace, pod, container)
    // Text may hold several lines; each becomes its own timestamped line, as a container runtime records it.
    const parts = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n')
    for (const part of parts) {
      const line: LogLine = { time: this.clock.now().toISOString(), text: part }
      log.lines.push(line)
      for (const follower of [...log.followers]) follower(line)
    }
  }

  setState(namespace: string, pod: string, container: string, state: ContainerState): void {
    const log = this.container(namespace, pod, container)
    log.state = state
    if (state === 'terminated') this.end(log)
  }

  state(namespace: string, pod: string, container: string): ContainerState | undefined {
    return this.containers.get(key(namespace, pod, container))?.state
  }

  lines(namespace: string, pod: string, container: string): LogLine[] {
    return [...(this.containers.get(key(namespace, pod, container))?.lines ?? [])]
  }

  /** Containers of a pod that have any log state, in the order they were first seen. */
  containersOf(namespace: string, pod: string): string[] {
    const prefix = key(namespace, pod, '')
    return [...this.containers.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length))
  }

  follow(
    namespace: string,
    pod: string,
    container: string,
    onLine: (line: LogLine | undefined) => void,
  ): () => void {
    const log = this.container(namespace, pod, container)
    if (log.state === 'terminated') {
      queueMicrotask(() => onLine(undefined))
      return () => {}
    }
    log.followers.add(onLine)
    return () => log.followers.delete(onLine)
  }

  remove(namespace: string, pod: string): void {
    const prefix = key(namespace, pod, '')
    for (const [k, log] of this.containers) {
      if (!k.startsWith(prefix)) continue
      this.end(log)
      this.containers.delete(k)
    }
  }

  private end(log: ContainerLog): void {
    const followers = [...log.followers]
    log.followers.clear()
    for (const follower of followers) follower(undefined)
  }

  private container(namespace: string, pod: string, container: string): ContainerLog {
    const k = key(namespace, pod, container)
    let log = this.containers.get(k)
    if (!log) this.containers.set(k, (log = { state: 'waiting', lines: [], followers: new Set() }))
    return log
  }
}

function key(namespace: string, pod: string, container: string): string {
  return `${namespace}\u0000${pod}\u0000${container}`
}
