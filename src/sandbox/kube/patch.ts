// PATCH bodies as the real API server applies them: JSON merge patch (RFC 7386) and JSON patch
// (RFC 6902); strategic merge patch exists only for built-in kinds, never for custom resources.
import fastJsonPatch from 'fast-json-patch'
import type { Operation } from 'fast-json-patch'
import type { KubeObject } from '../types.js'
import { ApiError, badRequest, unsupportedMediaType } from './errors.js'

export const MERGE_PATCH = 'application/merge-patch+json'
export const JSON_PATCH = 'application/json-patch+json'
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json'
export const APPLY_PATCH = 'application/apply-patch+yaml'

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch)
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}

function parse(body: string): unknown {
  try {
    return JSON.parse(body)
  } catch (error) {
    throw badRequest(`error decoding patch: ${(error as Error).message}`)
  }
}

/** The generic 422 the real server answers when a well-formed patch cannot be applied. */
function unprocessable(detail: string): ApiError {
  return new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'UnexpectedServerResponse', message: detail }],
  })
}

export function applyPatch(
  current: KubeObject,
  contentType: string,
  body: string,
  options: { custom: boolean },
): KubeObject {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === MERGE_PATCH) {
    const patch = parse(body)
    if (!isPlainObject(patch)) throw badRequest('Invalid JSON Patch')
    return mergePatch(current, patch) as KubeObject
  }
  if (type === JSON_PATCH) {
    const operations = parse(body)
    if (!Array.isArray(operations)) {
      throw badRequest(`json: cannot unmarshal ${typeName(operations)} into Go value of type jsonpatch.Patch`)
    }
    const error = fastJsonPatch.validate(operations as Operation[], current)
    if (error) throw unprocessable(`${error.name}: ${error.message.split('\n')[0]}`)
    try {
      return fastJsonPatch.applyPatch(structuredClone(current), operations as Operation[], false, false)
        .newDocument as KubeObject
    } catch (thrown) {
      throw unprocessable((thrown as Error).message.split('\n')[0] ?? 'patch failed')
    }
  }
  if (type === STRATEGIC_MERGE_PATCH && !options.custom) {
    // Built-in kinds here (pods, secrets) have no list merge keys that the sandbox relies on.
    const patch = parse(body)
    if (!isPlainObject(patch)) throw badRequest('Invalid JSON Patch')
    return mergePatch(current, patch) as KubeObject
  }
  const accepted = [JSON_PATCH, MERGE_PATCH, APPLY_PATCH]
  if (!options.custom) accepted.splice(2, 0, STRATEGIC_MERGE_PATCH)
  throw unsupportedMediaType(accepted)
}

function typeName(value: unknown): string {
  if (value === null) return 'null'
  if (typeof value === 'object') return 'object'
  return typeof value === 'boolean' ? 'bool' : typeof value
}
