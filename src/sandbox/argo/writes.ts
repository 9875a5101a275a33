// Read-modify-write against the store, retried on 409 Conflict as Argo's reapplyUpdate does.
import type { KubeObject, ObjectStore, ResourceName } from '../types.js'

const MAX_ATTEMPTS = 5

export function isConflict(error: unknown): boolean {
  const e = error as { code?: number; status?: { code?: number } } | undefined
  return e?.code === 409 || e?.status?.code === 409
}

export function isNotFound(error: unknown): boolean {
  const e = error as { code?: number; status?: { code?: number } } | undefined
  return e?.code === 404 || e?.status?.code === 404
}

/**
 * Applies `change` to the latest copy of an object and writes it with that copy's resourceVersion.
 * `change` returns the object to write, or undefined to write nothing. Returns the stored result.
 */
export function updateWithRetry<T extends KubeObject>(
  store: ObjectStore,
  resource: ResourceName,
  namespace: string | undefined,
  name: string,
  change: (current: T) => T | undefined,
): T | undefined {
  for (let attempt = 1; ; attempt++) {
    const current = store.get(resource, namespace, name)
    if (!current) return undefined
    const next = change(structuredClone(current) as T)
    if (!next) return current as T
    try {
      return store.update(resource, namespace, next) as T
    } catch (error) {
      if (isNotFound(error)) return undefined
      if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error
    }
  }
}
