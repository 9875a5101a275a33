// The contract suite's targets: the sandbox cluster (always, in-process) and, when KUBECONFIG is set, the
// real cluster it points at. Each case reaches its target only through @kubernetes/client-node, so a case
// that passes on both proves the sandbox behaves like the real thing for it.
import { randomBytes } from 'node:crypto'
import http, { type IncomingHttpHeaders } from 'node:http'
import https from 'node:https'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import path from 'node:path'
import {
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
} from '@kubernetes/client-node'
import { parse, parseAllDocuments } from 'yaml'
import { startSandboxCluster, type SandboxCluster } from '../../src/sandbox/cluster.js'
import type { RbacTable } from '../../src/sandbox/kube/index.js'

export const GROUP = 'argoproj.io'
export const VERSION = 'v1alpha1'
/** Every object a run creates carries this label with the run's prefix, so cleanup finds them all. */
export const RUN_LABEL = 'contract.compchem.test/run'

export type TargetKind = 'sandbox' | 'cluster'

export interface Target {
  kind: TargetKind
  kc: KubeConfig
  custom: CustomObjectsApi
  namespace: string
  /** Unique per run, lower-case and short, so names built from it stay DNS-1123 safe. */
  prefix: string
  /** Only on the sandbox: the in-process cluster, for fault injection. */
  sandbox?: SandboxCluster
  /**
   * A client holding exactly the chart's Role (helm/.../files/rbac/service-rules.yaml) in `namespace`;
   * on a real cluster only when CONTRACT_SERVICE_KUBECONFIG names one (scripts/real-apiserver.sh does).
   */
  serviceKc?: KubeConfig
  close(): Promise<void>
}

export interface KubeObject {
  apiVersion?: string
  kind?: string
  metadata: {
    name?: string
    generateName?: string
    namespace?: string
    labels?: Record<string, string>
    finalizers?: string[]
    resourceVersion?: string
    deletionTimestamp?: string
    [key: string]: unknown
  }
  spec?: Record<string, unknown>
  status?: Record<string, unknown>
  [key: string]: unknown
}

export interface KubeList {
  metadata: { resourceVersion?: string }
  items: KubeObject[]
}

const realClusterConfigured = !!process.env.KUBECONFIG
const referenceDir = path.resolve(process.cwd(), process.env.ARGO_REFERENCE_DIR ?? '../shared/argo')

/** Argo's full CRD schemas from the reference data, or undefined when it is absent. */
export function fullCrdSchemas(): { workflows: object; workflowtemplates: object } | undefined {
  const dir = path.join(referenceDir, 'crds')
  const schemaOf = (plural: string) => {
    const file = path.join(dir, `full-argoproj.io_${plural}.yaml`)
    if (!existsSync(file)) return undefined
    const crd = parse(readFileSync(file, 'utf8')) as {
      spec: { versions: { schema: { openAPIV3Schema: object } }[] }
    }
    return crd.spec.versions[0]?.schema.openAPIV3Schema
  }
  const workflows = schemaOf('workflows')
  const workflowtemplates = schemaOf('workflowtemplates')
  return workflows && workflowtemplates ? { workflows, workflowtemplates } : undefined
}

/**
 * Declares the same cases once per target. The real-cluster block is skipped, and says so, when
 * KUBECONFIG is unset; `needsArgo` also skips it unless CONTRACT_ARGO=1 (a controller must be installed).
 * `fullSchema` cases need Argo's full CRDs: the sandbox gets them from the reference data, a real cluster
 * must have them installed (CONTRACT_CRDS=full says so; scripts/real-apiserver.sh swaps them in).
 */
export function describeTargets(
  title: string,
  cases: (target: () => Target, kind: TargetKind) => void,
  options: { needsArgo?: boolean; fullSchema?: boolean } = {},
): void {
  const crdSchemas = options.fullSchema ? fullCrdSchemas() : undefined
  for (const kind of ['sandbox', 'cluster'] as const) {
    let skipReason: string | undefined
    if (kind === 'cluster' && !realClusterConfigured) skipReason = 'KUBECONFIG is not set'
    else if (kind === 'cluster' && options.needsArgo && process.env.CONTRACT_ARGO !== '1')
      skipReason = 'CONTRACT_ARGO=1 is not set (this case needs the Argo controller installed)'
    else if (kind === 'cluster' && options.fullSchema && process.env.CONTRACT_CRDS !== 'full')
      skipReason = "CONTRACT_CRDS=full is not set (this case needs Argo's full CRDs installed)"
    else if (kind === 'cluster' && !options.fullSchema && process.env.CONTRACT_CRDS === 'full')
      skipReason = 'CONTRACT_CRDS=full is set (this case expects the minimal CRDs)'
    else if (options.fullSchema && !crdSchemas)
      skipReason = `Argo's full CRDs are not in ${referenceDir} (set ARGO_REFERENCE_DIR)`
    if (skipReason) {
      const where = kind === 'cluster' ? 'a real cluster' : 'the sandbox'
      console.log(`contract "${title}" against ${where}: SKIPPED, ${skipReason}`)
      describe.skip(`${title} [${kind}]`, () => cases(() => undefined as unknown as Target, kind))
      continue
    }
    describe(`${title} [${kind}]`, () => {
      let target: Target
      beforeAll(async () => {
        target = await openTarget(kind, { crdSchemas })
      }, 60_000)
      afterAll(async () => {
        await target?.close()
      }, 60_000)
      cases(() => target, kind)
    })
  }
}

const SANDBOX_NAMESPACE = 'contract'
const ADMIN_TOKEN = 'contract-admin'
const SERVICE_TOKEN = 'contract-fileprocessor'

interface PolicyRule {
  apiGroups: string[]
  resources: string[]
  verbs: string[]
}

/** The same identities scripts/real-apiserver.sh gives the real server: an admin and the chart's Role. */
function sandboxTokens(): RbacTable {
  const rulesFile = path.resolve('helm/compchem-fileprocessor/files/rbac/service-rules.yaml')
  const rules = parse(readFileSync(rulesFile, 'utf8')) as PolicyRule[]
  return {
    [ADMIN_TOKEN]: { user: 'contract-admin', rules: [{ verbs: ['*'], resources: ['*'] }] },
    [SERVICE_TOKEN]: {
      user: 'fileprocessor',
      rules: rules.map((rule) => ({
        verbs: rule.verbs,
        resources: rule.resources,
        namespaces: [SANDBOX_NAMESPACE],
      })),
    },
  }
}

export interface TargetOptions {
  /** The sandbox validates against these CRD schemas (a real cluster has whatever CRDs it has). */
  crdSchemas?: { workflows: object; workflowtemplates: object }
}

export async function openTarget(kind: TargetKind, options: TargetOptions = {}): Promise<Target> {
  const prefix = `ct${randomBytes(3).toString('hex')}`
  let kc: KubeConfig
  let namespace: string
  let sandbox: SandboxCluster | undefined
  let serviceKc: KubeConfig | undefined
  if (kind === 'sandbox') {
    // Fast clock: a 1 s step takes 10 ms, the suspend example's 20 s delay 200 ms.
    sandbox = await startSandboxCluster({
      speed: 100,
      stepSeconds: 1,
      argoServer: false,
      tokens: sandboxTokens(),
      crdSchemas: options.crdSchemas,
    })
    kc = new KubeConfig()
    kc.loadFromString(sandbox.kube.kubeconfig(ADMIN_TOKEN))
    serviceKc = new KubeConfig()
    serviceKc.loadFromString(sandbox.kube.kubeconfig(SERVICE_TOKEN))
    namespace = SANDBOX_NAMESPACE
  } else {
    kc = new KubeConfig()
    kc.loadFromDefault()
    namespace =
      process.env.CONTRACT_NAMESPACE ?? kc.getContextObject(kc.getCurrentContext())?.namespace ?? 'default'
    if (process.env.CONTRACT_SERVICE_KUBECONFIG) {
      serviceKc = new KubeConfig()
      serviceKc.loadFromFile(process.env.CONTRACT_SERVICE_KUBECONFIG)
    }
  }
  const custom = kc.makeApiClient(CustomObjectsApi)
  const target: Target = {
    kind,
    kc,
    custom,
    namespace,
    prefix,
    sandbox,
    serviceKc,
    close: async () => {
      await cleanUp(target)
      await sandbox?.close()
    },
  }
  return target
}

/** Deletes what this run created, finalizers first so nothing is left hanging. */
async function cleanUp(target: Target): Promise<void> {
  const core = target.kc.makeApiClient(CoreV1Api)
  const selector = { namespace: target.namespace, labelSelector: `${RUN_LABEL}=${target.prefix}` }
  for (const pod of (await core.listNamespacedPod(selector)).items)
    await core.deleteNamespacedPod({
      namespace: target.namespace,
      name: pod.metadata!.name!,
      gracePeriodSeconds: 0,
    })
  for (const secret of (await core.listNamespacedSecret(selector)).items)
    await core.deleteNamespacedSecret({ namespace: target.namespace, name: secret.metadata!.name! })
  for (const plural of ['workflows', 'workflowtemplates']) {
    const list = (await target.custom.listNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: target.namespace,
      plural,
      labelSelector: `${RUN_LABEL}=${target.prefix}`,
    })) as KubeList
    for (const item of list.items) {
      const coordinates = { ...coordinatesOf(target, plural), name: item.metadata.name! }
      try {
        if (item.metadata.finalizers?.length)
          await target.custom.patchNamespacedCustomObject(
            { ...coordinates, body: { metadata: { finalizers: null } } },
            mergePatch(),
          )
        await target.custom.deleteNamespacedCustomObject(coordinates)
      } catch (error) {
        if (statusCodeOf(error) !== 404) throw error
      }
    }
  }
}

export function coordinatesOf(target: Target, plural: string) {
  return { group: GROUP, version: VERSION, namespace: target.namespace, plural }
}

export function mergePatch() {
  return setHeaderOptions('Content-Type', PatchStrategy.MergePatch)
}

export function jsonPatch() {
  return setHeaderOptions('Content-Type', PatchStrategy.JsonPatch)
}

/** Labels an object as this run's (so cleanup finds it). */
export function labelled<T extends KubeObject>(target: Target, object: T): T {
  return {
    ...object,
    metadata: { ...object.metadata, labels: { ...object.metadata.labels, [RUN_LABEL]: target.prefix } },
  }
}

export function statusCodeOf(error: unknown): number | undefined {
  return (error as { code?: number }).code
}

/** The HTTP code and Status body of a failed client-node call. */
export async function failure(
  call: Promise<unknown>,
): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await call
  } catch (error) {
    const e = error as { code?: number; body?: unknown }
    const body = typeof e.body === 'string' ? (JSON.parse(e.body) as Record<string, unknown>) : e.body
    return { code: e.code as number, body: (body ?? {}) as Record<string, unknown> }
  }
  throw new Error('expected the call to fail')
}

export async function until<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined && value !== false) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** The YAML documents of a reference folder, or undefined (and a plain message) when it is absent. */
export function referenceManifests(folder: string): { file: string; object: KubeObject }[] | undefined {
  const dir = path.join(referenceDir, folder)
  if (!existsSync(dir)) {
    console.log(
      `Argo reference data not found at ${dir} (set ARGO_REFERENCE_DIR): contract cases on it are SKIPPED`,
    )
    return undefined
  }
  return readdirSync(dir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(path.join(dir, file), 'utf8'))
        .map((doc) => doc.toJS() as KubeObject | null)
        .filter((object): object is KubeObject => !!object)
        .map((object) => ({ file, object })),
    )
}

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json(): Record<string, unknown>
}

/** One HTTP request with the kubeconfig's credentials, for what client-node hides (Warning headers, bodies). */
export async function rawRequest(
  kc: KubeConfig,
  method: string,
  apiPath: string,
  options: { body?: string; contentType?: string } = {},
): Promise<RawResponse> {
  const server = new URL(kc.getCurrentCluster()!.server)
  const requestOptions: https.RequestOptions = { method, headers: {} }
  await kc.applyToHTTPSOptions(requestOptions)
  const headers = requestOptions.headers as Record<string, string>
  headers.Accept = 'application/json'
  if (options.contentType) headers['Content-Type'] = options.contentType
  const url = new URL(apiPath, server)
  const send = url.protocol === 'https:' ? https.request : http.request
  return new Promise((resolve, reject) => {
    const request = send(url, requestOptions, (response) => {
      const chunks: Buffer[] = []
      response.on('data', (chunk: Buffer) => chunks.push(chunk))
      response.on('error', reject)
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          text,
          json: () => JSON.parse(text) as Record<string, unknown>,
        })
      })
    })
    request.on('error', reject)
    request.end(options.body)
  })
}
