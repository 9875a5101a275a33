// Resource verbs of the API server: create, get, list, update, patch, delete, with the admission the
// real server applies (kind checks, CRD schema validation and pruning, dryRun, fieldValidation).
import type { ServerResponse } from 'node:http'
import type { KubeObject, ResourceName } from '../types.js'
import { ApiError, badRequest, expired, invalid, notFound } from './errors.js'
import { parseObjectBody, sendJson } from './http.js'
import { applyPatch } from './patch.js'
import { apiVersionOf, type ResourceInfo } from './resources.js'
import { checkAgainstSchema, type StructuralSchema } from './schema.js'
import { parseFieldSelector, parseLabelSelector } from './selectors.js'
import type { MemoryStore, PropagationPolicy } from './store.js'

export interface ResourceRequest {
  info: ResourceInfo
  namespace: string | undefined
  name: string | undefined
  query: URLSearchParams
}

export interface HandlerContext {
  store: MemoryStore
  schemas: Partial<Record<ResourceName, StructuralSchema>>
}

function dryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun')
  for (const value of values) {
    if (value !== 'All') {
      throw invalidParam('dryRun', value, 'Unsupported value', 'supported values: "All"')
    }
  }
  return values.length > 0
}

function invalidParam(field: string, value: string, kind: string, detail: string): ApiError {
  return badRequest(`${field}: ${kind}: ${JSON.stringify(value)}: ${detail}`)
}

/** Checks apiVersion/kind/name/namespace of a body against the URL, as the real decoder and handler do. */
function checkIdentity(
  info: ResourceInfo,
  req: ResourceRequest,
  object: Record<string, unknown>,
): KubeObject {
  const expected = apiVersionOf(info)
  if (info.custom && !object.kind) throw badRequest(`Object 'Kind' is missing in '${JSON.stringify(object)}'`)
  if (object.apiVersion && object.apiVersion !== expected) {
    throw badRequest(
      `the API version in the data (${String(object.apiVersion)}) does not match the expected API version (${expected})`,
    )
  }
  if (object.kind && object.kind !== info.kind && info.custom) {
    // The custom resource handler validates kind as a field (checked against a real kube-apiserver).
    const name = ((object.metadata as { name?: string } | undefined)?.name ?? '') as string
    const detail = `Invalid value: ${JSON.stringify(object.kind)}: must be ${info.kind}`
    throw invalid(info.group, String(object.kind), name, [
      { field: 'kind', type: 'FieldValueInvalid', message: detail },
    ])
  }
  if (object.kind && object.kind !== info.kind) {
    throw badRequest(
      `the kind in the data (${String(object.kind)}) does not match the expected kind (${info.kind})`,
    )
  }
  const typed = { ...object, apiVersion: expected, kind: info.kind } as KubeObject
  typed.metadata = { ...((object.metadata as object | undefined) ?? {}) }
  const ns = typed.metadata.namespace
  if (ns && req.namespace && ns !== req.namespace) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request')
  }
  if (req.name && typed.metadata.name && typed.metadata.name !== req.name) {
    throw badRequest(
      `the name of the object (${typed.metadata.name}) does not match the name on the URL (${req.name})`,
    )
  }
  if (req.name && !typed.metadata.name) typed.metadata.name = req.name
  return typed
}

/** Schema validation and pruning; returns the Warning headers to send. */
function admit(ctx: HandlerContext, req: ResourceRequest, object: KubeObject): string[] {
  const { info } = req
  if (info.resource === 'secrets' && !object.type) object.type = 'Opaque'
  if (info.resource === 'secrets' && object.stringData && typeof object.stringData === 'object') {
    const data = { ...((object.data as Record<string, string>) ?? {}) }
    for (const [k, v] of Object.entries(object.stringData as Record<string, string>)) {
      data[k] = Buffer.from(String(v)).toString('base64')
    }
    object.data = data
    delete object.stringData
  }
  const schema = ctx.schemas[info.resource]
  if (!schema) return []
  const check = checkAgainstSchema(object as unknown as Record<string, unknown>, schema)
  if (check.errors.length) {
    throw invalid(
      info.group,
      info.kind,
      object.metadata.name ?? object.metadata.generateName ?? '',
      check.errors,
    )
  }
  if (!check.unknownFields.length) return []
  const unknown = check.unknownFields.map((f) => `unknown field "${f}"`)
  const validation = req.query.get('fieldValidation') ?? 'Warn'
  if (validation === 'Strict') {
    throw badRequest(
      `${info.kind} in version "${info.version}" cannot be handled as a ${info.kind}: strict decoding error: ${unknown.join(', ')}`,
    )
  }
  return validation === 'Ignore' ? [] : unknown.map((text) => `299 - ${JSON.stringify(text)}`)
}

function warningHeaders(warnings: string[]): Record<string, string[]> {
  return warnings.length ? { Warning: warnings } : {}
}

export function handleCreate(ctx: HandlerContext, req: ResourceRequest, body: string, res: ServerResponse) {
  const object = checkIdentity(req.info, req, parseObjectBody(body))
  const warnings = admit(ctx, req, object)
  const created = ctx.store.create(req.info.resource, req.namespace, object, { dryRun: dryRun(req.query) })
  sendJson(res, 201, created, warningHeaders(warnings))
}

export function handleGet(ctx: HandlerContext, req: ResourceRequest, res: ServerResponse) {
  const found = ctx.store.get(req.info.resource, req.namespace, req.name as string)
  if (!found) throw notFound(req.info, req.name as string)
  sendJson(res, 200, found)
}

export function handleUpdate(ctx: HandlerContext, req: ResourceRequest, body: string, res: ServerResponse) {
  const object = checkIdentity(req.info, req, parseObjectBody(body))
  if (req.info.custom && !object.metadata.resourceVersion) {
    if (!ctx.store.get(req.info.resource, req.namespace, req.name as string))
      throw notFound(req.info, req.name as string)
    throw invalid(req.info.group, req.info.kind, req.name as string, [
      {
        field: 'metadata.resourceVersion',
        type: 'FieldValueInvalid',
        message: 'Invalid value: 0x0: must be specified for an update',
      },
    ])
  }
  const warnings = admit(ctx, req, object)
  const updated = ctx.store.update(req.info.resource, req.namespace, object, { dryRun: dryRun(req.query) })
  sendJson(res, 200, updated, warningHeaders(warnings))
}

export function handlePatch(
  ctx: HandlerContext,
  req: ResourceRequest,
  contentType: string,
  body: string,
  res: ServerResponse,
) {
  const current = ctx.store.get(req.info.resource, req.namespace, req.name as string)
  if (!current) throw notFound(req.info, req.name as string)
  const patched = applyPatch(current, contentType, body, { custom: req.info.custom })
  if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
    throw badRequest('the patch produced something that is not an object')
  }
  const object = checkIdentity(req.info, req, patched as unknown as Record<string, unknown>)
  const warnings = admit(ctx, req, object)
  const updated = ctx.store.update(req.info.resource, req.namespace, object, { dryRun: dryRun(req.query) })
  sendJson(res, 200, updated, warningHeaders(warnings))
}

interface DeleteBody {
  propagationPolicy?: PropagationPolicy
  orphanDependents?: boolean
  preconditions?: { uid?: string; resourceVersion?: string }
  dryRun?: string[]
}

export function handleDelete(ctx: HandlerContext, req: ResourceRequest, body: string, res: ServerResponse) {
  let options: DeleteBody = {}
  if (body.trim()) {
    try {
      options = JSON.parse(body) as DeleteBody
    } catch (error) {
      throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`)
    }
  }
  const policy = (req.query.get('propagationPolicy') ?? options.propagationPolicy) as
    PropagationPolicy | undefined
  if (policy && !['Background', 'Foreground', 'Orphan'].includes(policy)) {
    throw invalidParam(
      'propagationPolicy',
      policy,
      'Unsupported value',
      'supported values: "Foreground", "Background", "Orphan"',
    )
  }
  const orphan = options.orphanDependents === true || req.query.get('orphanDependents') === 'true'
  const isDry = dryRun(req.query) || (options.dryRun ?? []).includes('All')
  const { info } = req
  const name = req.name as string
  const result = ctx.store.delete(info.resource, req.namespace, name, {
    propagationPolicy: policy ?? (orphan ? 'Orphan' : undefined),
    preconditions: options.preconditions,
    dryRun: isDry,
  })
  if (!result) throw notFound(info, name)
  const stillThere = !isDry && ctx.store.get(info.resource, req.namespace, name)
  // Pods answer with the deleted object; other kinds with a Success Status once the object is gone.
  if (stillThere || info.resource === 'pods' || isDry) {
    sendJson(res, 200, stillThere || result)
    return
  }
  const details: Record<string, string> = { name }
  if (info.group) details.group = info.group
  details.kind = info.resource
  details.uid = result.metadata.uid as string
  sendJson(res, 200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details })
}

interface ContinueToken {
  v: string
  rv: number
  start: string
}

function decodeContinue(token: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.start !== 'string' || typeof parsed.rv !== 'number')
      throw 0
    return parsed
  } catch {
    throw badRequest(
      'invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)',
    )
  }
}

const CONTINUE_TOO_OLD =
  'The provided continue parameter is too old to display a consistent list result. You can start a new list ' +
  'without the continue parameter, or use the continue token in this response to retrieve the remainder of the ' +
  'results. Continuing with the provided token results in an inconsistent list - objects that were created, ' +
  'modified, or deleted between the time the first chunk was returned and now may show up in the list.'

export function handleList(ctx: HandlerContext, req: ResourceRequest, res: ServerResponse) {
  const { info, query } = req
  const matchLabels = parseLabelSelector(query.get('labelSelector') ?? undefined)
  const matchFields = parseFieldSelector(info.resource, query.get('fieldSelector') ?? undefined)
  const limit = Number(query.get('limit') ?? '0')
  const token = query.get('continue')
  let listVersion = Number(ctx.store.resourceVersion())
  let start = ''
  if (token) {
    const decoded = decodeContinue(token)
    if (decoded.rv < ctx.store.oldestWatchableVersion()) throw expired(CONTINUE_TOO_OLD)
    listVersion = decoded.rv
    start = decoded.start
  }
  const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`
  const all = ctx.store
    .list(info.resource, req.namespace)
    .filter((o) => matchLabels(o) && matchFields(o) && (!start || keyOf(o) > start))
  const page = limit > 0 ? all.slice(0, limit) : all
  const metadata: Record<string, unknown> = { resourceVersion: String(listVersion) }
  if (limit > 0 && all.length > limit) {
    const last = page.at(-1) as KubeObject
    const next: ContinueToken = { v: 'meta.k8s.io/v1', rv: listVersion, start: keyOf(last) }
    metadata.continue = Buffer.from(JSON.stringify(next)).toString('base64url')
    if (!query.get('labelSelector') && !query.get('fieldSelector'))
      metadata.remainingItemCount = all.length - limit
  }
  // Built-in lists carry kind/apiVersion only on the list itself; custom resource lists keep them on items.
  const items = info.custom ? page : page.map(({ apiVersion: _a, kind: _k, ...rest }) => rest)
  sendJson(res, 200, { apiVersion: apiVersionOf(info), kind: info.listKind, metadata, items })
}
