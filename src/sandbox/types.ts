// Contracts between the parts of the sandbox cluster: the object store (behind the simulated
// Kubernetes API server), the Argo controller simulator and the pod log store. The service never
// imports this folder: it only talks HTTP to the API server, as it would to a real cluster.

export interface ObjectMeta {
  name?: string
  generateName?: string
  namespace?: string
  uid?: string
  resourceVersion?: string
  generation?: number
  creationTimestamp?: string
  deletionTimestamp?: string
  labels?: Record<string, string>
  annotations?: Record<string, string>
  finalizers?: string[]
  ownerReferences?: OwnerReference[]
  [key: string]: unknown
}

export interface OwnerReference {
  apiVersion: string
  kind: string
  name: string
  uid: string
  controller?: boolean
  blockOwnerDeletion?: boolean
}

export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: ObjectMeta
  [key: string]: unknown
}

/** Plural resource names the sandbox serves. */
export type ResourceName = 'workflows' | 'workflowtemplates' | 'clusterworkflowtemplates' | 'pods' | 'secrets'

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED'

export interface StoreEvent {
  type: WatchEventType
  resource: ResourceName
  object: KubeObject
}

/**
 * In-process access to the cluster's objects, used by the API server and by the controller
 * simulator. Every write bumps the store-wide resourceVersion and emits one StoreEvent.
 * Errors are thrown as ApiError (see errors in the API server module) carrying a Kubernetes Status.
 */
export interface ObjectStore {
  create(resource: ResourceName, namespace: string | undefined, object: KubeObject): KubeObject
  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined
  list(resource: ResourceName, namespace?: string): KubeObject[]
  /** Replaces the object; refuses with 409 Conflict when metadata.resourceVersion is set and stale. */
  update(resource: ResourceName, namespace: string | undefined, object: KubeObject): KubeObject
  /** Deletes, or only sets deletionTimestamp while finalizers remain; dependents are garbage-collected. */
  delete(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined
  subscribe(listener: (event: StoreEvent) => void): () => void
  /** Current store-wide resourceVersion. */
  resourceVersion(): string
}

export interface LogLine {
  /** RFC 3339 time the line was written. */
  time: string
  text: string
}

/** Logs of pod containers, written by the controller simulator and read by the API server's pods/log. */
export interface PodLogStore {
  append(namespace: string, pod: string, container: string, text: string): void
  /** Marks the container as started (logs readable) or terminated (follow ends). */
  setState(
    namespace: string,
    pod: string,
    container: string,
    state: 'waiting' | 'running' | 'terminated',
  ): void
  state(namespace: string, pod: string, container: string): 'waiting' | 'running' | 'terminated' | undefined
  lines(namespace: string, pod: string, container: string): LogLine[]
  /** Calls back for each new line and once with `undefined` when the container terminates. */
  follow(
    namespace: string,
    pod: string,
    container: string,
    onLine: (line: LogLine | undefined) => void,
  ): () => void
  remove(namespace: string, pod: string): void
}

/** Sandbox time: a speed factor lets tests run steps of "30 s" in a fraction of that. */
export interface SandboxClock {
  now(): Date
  /** Resolves after `seconds` of sandbox time. */
  sleep(seconds: number): Promise<void>
  speed: number
}
