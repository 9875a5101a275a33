// The cluster's objects in memory, with the server-side behaviour of the real API server's registry:
// uids, one store-wide resourceVersion, generation, generateName, finalizers, garbage collection of
// dependents, and a bounded event history so that watches can resume (or learn they cannot: 410).
import { randomInt, randomUUID } from 'node:crypto'
import { isDeepStrictEqual } from 'node:util'
import type { KubeObject, ObjectStore, ResourceName, SandboxClock, StoreEvent } from '../types.js'
import { ApiError, alreadyExists, conflict, expired, invalid, notFound, type FieldError } from './errors.js'
import { RESOURCES, apiVersionOf } from './resources.js'
import { validateMetadata } from './validation.js'

/** A StoreEvent with the resourceVersion it was written at (also in object.metadata.resourceVersion). */
export interface StoredEvent extends StoreEvent {
  resourceVersion: number
  /** For MODIFIED: the object before the write (lets filtered watches turn it into ADDED or DELETED). */
  previous?: KubeObject
}

export interface WriteOptions {
  /** Validate and return what would be stored, store nothing (dryRun=All). */
  dryRun?: boolean
}

export type PropagationPolicy = 'Background' | 'Foreground' | 'Orphan'

export interface DeleteOptions extends WriteOptions {
  propagationPolicy?: PropagationPolicy
  preconditions?: { uid?: string; resourceVersion?: string }
}

export interface MemoryStoreOptions {
  clock?: Pick<SandboxClock, 'now'>
  /** How many events the watch history keeps; older resourceVersions get 410 Expired. */
  historyLimit?: number
}

/** The alphabet Kubernetes uses for generateName suffixes (no vowels, no confusable characters). */
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789'
const SUFFIX_LENGTH = 5

export function randomSuffix(): string {
  let suffix = ''
  for (let i = 0; i < SUFFIX_LENGTH; i++) suffix += NAME_ALPHABET[randomInt(NAME_ALPHABET.length)]
  return suffix
}

/** Kubernetes timestamps are RFC 3339 with second precision. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d+Z$/, 'Z')
}

interface Location {
  resource: ResourceName
  namespace: string | undefined
  name: string
}

export class MemoryStore implements ObjectStore {
  private readonly objects = new Map<ResourceName, Map<string, KubeObject>>()
  private readonly byUid = new Map<string, Location>()
  private readonly listeners = new Set<(event: StoreEvent) => void>()
  private readonly storedListeners = new Set<(event: StoredEvent) => void>()
  private history: StoredEvent[] = []
  private revision = 0
  /** Every event at or below this resourceVersion has been dropped from the history. */
  private compactedThrough = 0
  private readonly clock: Pick<SandboxClock, 'now'>
  private readonly historyLimit: number

  constructor(options: MemoryStoreOptions = {}) {
    this.clock = options.clock ?? { now: () => new Date() }
    this.historyLimit = options.historyLimit ?? 1000
  }

  resourceVersion(): string {
    return String(this.revision)
  }

  create(
    resource: ResourceName,
    namespace: string | undefined,
    object: KubeObject,
    options: WriteOptions = {},
  ) {
    const info = RESOURCES[resource]
    const ns = this.scope(resource, namespace ?? object.metadata?.namespace)
    const next = structuredClone(object)
    next.apiVersion = next.apiVersion || apiVersionOf(info)
    next.kind = next.kind || info.kind
    const meta = (next.metadata = { ...(next.metadata ?? {}) })
    if (ns === undefined) delete meta.namespace
    else meta.namespace = ns
    for (const serverSet of [
      'uid',
      'resourceVersion',
      'deletionTimestamp',
      'deletionGracePeriodSeconds',
      'selfLink',
    ]) {
      delete meta[serverSet]
    }
    if (!meta.name && meta.generateName) meta.name = this.generateName(resource, ns, meta.generateName)
    this.check(resource, next)
    if (meta.name && this.bucket(resource).has(key(ns, meta.name))) throw alreadyExists(info, meta.name)
    meta.uid = randomUUID()
    meta.creationTimestamp = kubeTime(this.clock.now())
    if (resource !== 'secrets') meta.generation = 1
    else delete meta.generation
    if (options.dryRun) return structuredClone(next)
    this.write(resource, ns, next, 'ADDED')
    return structuredClone(next)
  }

  get(resource: ResourceName, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(resource).get(key(this.scope(resource, namespace), name))
    return found && structuredClone(found)
  }

  /** Objects in key order (namespace, then name), as etcd lists them; all namespaces when none is given. */
  list(resource: ResourceName, namespace?: string): KubeObject[] {
    const all = [...this.bucket(resource).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    const ns = RESOURCES[resource].namespaced ? namespace : undefined
    return all
      .filter(([, o]) => ns === undefined || o.metadata.namespace === ns)
      .map(([, o]) => structuredClone(o))
  }

  update(
    resource: ResourceName,
    namespace: string | undefined,
    object: KubeObject,
    options: WriteOptions = {},
  ) {
    const info = RESOURCES[resource]
    const ns = this.scope(resource, namespace ?? object.metadata?.namespace)
    const name = object.metadata?.name ?? ''
    const old = this.bucket(resource).get(key(ns, name))
    if (!old) throw notFound(info, name)
    const wanted = object.metadata
    if (wanted.resourceVersion && wanted.resourceVersion !== old.metadata.resourceVersion)
      throw conflict(info, name)
    if (wanted.uid && wanted.uid !== old.metadata.uid) {
      throw conflict(
        info,
        name,
        `Precondition failed: UID in precondition: ${wanted.uid}, UID in object meta: ${old.metadata.uid}`,
      )
    }
    const next = structuredClone(object)
    next.apiVersion = next.apiVersion || old.apiVersion
    next.kind = next.kind || old.kind
    next.metadata = {
      ...next.metadata,
      name,
      uid: old.metadata.uid,
      creationTimestamp: old.metadata.creationTimestamp,
      resourceVersion: old.metadata.resourceVersion,
    }
    if (ns === undefined) delete next.metadata.namespace
    else next.metadata.namespace = ns
    for (const field of ['deletionTimestamp', 'deletionGracePeriodSeconds', 'generation']) {
      if (old.metadata[field] === undefined) delete next.metadata[field]
      else next.metadata[field] = old.metadata[field]
    }
    this.check(resource, next)
    if (old.metadata.deletionTimestamp) this.checkNoNewFinalizers(old, next)
    if (this.specChanged(resource, old, next)) next.metadata.generation = (old.metadata.generation ?? 0) + 1
    // A write that changes nothing is not a write: no new resourceVersion, no event.
    if (isDeepStrictEqual(old, next) || options.dryRun) return structuredClone(next)
    if (next.metadata.deletionTimestamp && !next.metadata.finalizers?.length) {
      // As the real registry does: the update is not written, the object is deleted instead (watchers see
      // only DELETED, carrying the last stored state) and the caller gets the updated object back.
      this.remove(resource, ns, name)
      return structuredClone(next)
    }
    this.write(resource, ns, next, 'MODIFIED')
    return structuredClone(next)
  }

  delete(
    resource: ResourceName,
    namespace: string | undefined,
    name: string,
    options: DeleteOptions = {},
  ): KubeObject | undefined {
    const info = RESOURCES[resource]
    const ns = this.scope(resource, namespace)
    const old = this.bucket(resource).get(key(ns, name))
    if (!old) return undefined
    const { uid, resourceVersion } = options.preconditions ?? {}
    if (uid && uid !== old.metadata.uid) {
      throw conflict(
        info,
        name,
        `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${old.metadata.uid}`,
      )
    }
    if (resourceVersion && resourceVersion !== old.metadata.resourceVersion) {
      throw conflict(
        info,
        name,
        `Precondition failed: ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`,
      )
    }
    if (options.dryRun) return structuredClone(old)
    const policy = options.propagationPolicy ?? 'Background'
    const ownerUid = old.metadata.uid as string
    if (policy === 'Orphan') this.orphanDependents(ownerUid)
    if (policy === 'Foreground') this.collectGarbage(ownerUid, true)
    if (old.metadata.finalizers?.length) {
      if (old.metadata.deletionTimestamp) return structuredClone(old)
      const marked = structuredClone(old)
      marked.metadata.deletionTimestamp = kubeTime(this.clock.now())
      marked.metadata.deletionGracePeriodSeconds = 0
      this.write(resource, ns, marked, 'MODIFIED')
      return structuredClone(marked)
    }
    return this.remove(resource, ns, name)
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Like subscribe, with the resourceVersion and previous state of each event. */
  subscribeStored(listener: (event: StoredEvent) => void): () => void {
    this.storedListeners.add(listener)
    return () => this.storedListeners.delete(listener)
  }

  /**
   * Events written after `resourceVersion`, oldest first. Throws 410 Expired when the history no
   * longer reaches back that far, as the real watch cache does.
   */
  eventsSince(resourceVersion: number): StoredEvent[] {
    if (resourceVersion < this.compactedThrough) {
      throw expired(`too old resource version: ${resourceVersion} (${this.compactedThrough})`)
    }
    return this.history.filter((e) => e.resourceVersion > resourceVersion).map((e) => structuredClone(e))
  }

  /** Forgets the whole event history: every resourceVersion handed out so far is now too old to watch from. */
  compact(): void {
    this.history = []
    // Step past the current version so that even a client that is fully up to date must relist.
    this.revision += 1
    this.compactedThrough = this.revision
  }

  /** The oldest resourceVersion a watch can still start from. */
  oldestWatchableVersion(): number {
    return this.compactedThrough
  }

  findByUid(uid: string): KubeObject | undefined {
    const at = this.byUid.get(uid)
    return at && this.get(at.resource, at.namespace, at.name)
  }

  private scope(resource: ResourceName, namespace: string | undefined): string | undefined {
    return RESOURCES[resource].namespaced ? namespace || 'default' : undefined
  }

  private bucket(resource: ResourceName): Map<string, KubeObject> {
    let bucket = this.objects.get(resource)
    if (!bucket) this.objects.set(resource, (bucket = new Map()))
    return bucket
  }

  private generateName(resource: ResourceName, ns: string | undefined, prefix: string): string {
    // The real server gives up with AlreadyExists on a clash; retrying here is kinder and just as valid.
    for (let attempt = 0; attempt < 8; attempt++) {
      const name = `${prefix.slice(0, 63 - SUFFIX_LENGTH)}${randomSuffix()}`
      if (!this.bucket(resource).has(key(ns, name))) return name
    }
    throw alreadyExists(RESOURCES[resource], prefix)
  }

  private check(resource: ResourceName, object: KubeObject): void {
    const errors = validateMetadata(object)
    if (errors.length) throw invalidObject(resource, object, errors)
  }

  private checkNoNewFinalizers(old: KubeObject, next: KubeObject): void {
    const added = (next.metadata.finalizers ?? []).filter((f) => !(old.metadata.finalizers ?? []).includes(f))
    if (!added.length) return
    const error: FieldError = {
      field: 'metadata.finalizers',
      type: 'FieldValueForbidden',
      message: `Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
    }
    // The real server runs this metadata check twice (generic and per-kind update validation): the
    // cause is listed twice, the message (built from the de-duplicated list) once.
    throw invalidObject(this.resourceOf(old), next, [error, error])
  }

  private resourceOf(object: KubeObject): ResourceName {
    const found = Object.values(RESOURCES).find((r) => r.kind === object.kind)
    return found?.resource ?? 'workflows'
  }

  /** Custom resources without a status subresource bump generation on any non-metadata change. */
  private specChanged(resource: ResourceName, old: KubeObject, next: KubeObject): boolean {
    if (resource === 'secrets') return false
    if (resource === 'pods') return !isDeepStrictEqual(old.spec, next.spec)
    const { metadata: _a, ...oldBody } = old
    const { metadata: _b, ...nextBody } = next
    return !isDeepStrictEqual(oldBody, nextBody)
  }

  private write(
    resource: ResourceName,
    ns: string | undefined,
    object: KubeObject,
    type: StoreEvent['type'],
  ) {
    this.revision += 1
    object.metadata.resourceVersion = String(this.revision)
    const previous = this.bucket(resource).get(key(ns, object.metadata.name as string))
    this.bucket(resource).set(key(ns, object.metadata.name as string), object)
    this.byUid.set(object.metadata.uid as string, {
      resource,
      namespace: ns,
      name: object.metadata.name as string,
    })
    this.emit(resource, object, type, previous)
  }

  private remove(resource: ResourceName, ns: string | undefined, name: string): KubeObject {
    const bucket = this.bucket(resource)
    const gone = bucket.get(key(ns, name)) as KubeObject
    bucket.delete(key(ns, name))
    this.byUid.delete(gone.metadata.uid as string)
    this.revision += 1
    gone.metadata.resourceVersion = String(this.revision)
    this.emit(resource, gone, 'DELETED')
    this.collectGarbage(gone.metadata.uid as string, false)
    return structuredClone(gone)
  }

  private dependentsOf(ownerUid: string): Location[] {
    const found: Location[] = []
    for (const [resource, bucket] of this.objects) {
      for (const object of bucket.values()) {
        if (object.metadata.ownerReferences?.some((ref) => ref.uid === ownerUid)) {
          found.push({ resource, namespace: object.metadata.namespace, name: object.metadata.name as string })
        }
      }
    }
    return found
  }

  /** Deletes dependents that have no owner left (or all of them, for foreground deletion of the owner). */
  private collectGarbage(ownerUid: string, ownerStillThere: boolean): void {
    for (const dependent of this.dependentsOf(ownerUid)) {
      const object = this.bucket(dependent.resource).get(key(dependent.namespace, dependent.name))
      if (!object) continue
      const owners = object.metadata.ownerReferences ?? []
      const alive = owners.some((ref) => ref.uid !== ownerUid && this.byUid.has(ref.uid))
      if (!alive || ownerStillThere) this.delete(dependent.resource, dependent.namespace, dependent.name)
    }
  }

  private orphanDependents(ownerUid: string): void {
    for (const dependent of this.dependentsOf(ownerUid)) {
      const object = this.bucket(dependent.resource).get(key(dependent.namespace, dependent.name))
      if (!object) continue
      const next = structuredClone(object)
      next.metadata.ownerReferences = (next.metadata.ownerReferences ?? []).filter(
        (ref) => ref.uid !== ownerUid,
      )
      if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences
      this.update(dependent.resource, dependent.namespace, next)
    }
  }

  private emit(
    resource: ResourceName,
    object: KubeObject,
    type: StoreEvent['type'],
    previous?: KubeObject,
  ): void {
    const event: StoredEvent = {
      type,
      resource,
      object: structuredClone(object),
      resourceVersion: Number(object.metadata.resourceVersion),
    }
    if (previous && type === 'MODIFIED') event.previous = previous
    this.history.push(event)
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit)
      this.compactedThrough = (dropped.at(-1) as StoredEvent).resourceVersion
    }
    for (const listener of [...this.storedListeners]) listener(event)
    for (const listener of [...this.listeners]) {
      try {
        listener({ type, resource, object: structuredClone(object) })
      } catch {
        // A failing listener must not break the write that everybody else has already seen.
      }
    }
  }
}

function key(namespace: string | undefined, name: string): string {
  return `${namespace ?? ''}/${name}`
}

function invalidObject(resource: ResourceName, object: KubeObject, errors: FieldError[]): ApiError {
  const info = RESOURCES[resource]
  return invalid(info.group, info.kind, object.metadata.name ?? object.metadata.generateName ?? '', errors)
}
