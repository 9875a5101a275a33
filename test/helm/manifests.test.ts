// Tests over what `helm template` renders, with the default values and with every option on.
// Skipped, saying so, when no helm binary is available ($HELM_BIN or `helm` on PATH).
import { readFileSync } from 'node:fs'
import type { V1Container, V1Deployment, V1Job, V1PodSpec, V1PolicyRule } from '@kubernetes/client-node'
import { parse } from 'yaml'
import { parseCatalog } from '../../src/config/index.js'
import { ALL_ON_VALUES, findHelm, render, renderFails, type KubeObject, type Rendered } from './render.js'

const helm = findHelm()
if (!helm) {
  console.log('helm manifest tests skipped: no helm binary (set HELM_BIN or put helm on PATH)')
}
const describeWithHelm = helm ? describe : describe.skip

/** What the service does with the Kubernetes API; the Role must grant exactly this. */
const SERVICE_VERBS = {
  'argoproj.io/workflows': ['create', 'get', 'list', 'patch', 'watch'],
  '/secrets': ['create', 'delete'],
  '/pods/log': ['get'],
  'argoproj.io/workflowtemplates': ['get'],
}
const EXECUTOR_VERBS = { 'argoproj.io/workflowtaskresults': ['create', 'patch'] }
const LEGACY_EXECUTOR_VERBS = { ...EXECUTOR_VERBS, '/pods': ['get', 'patch', 'watch'] }

const allOnValues = parse(readFileSync(ALL_ON_VALUES, 'utf8')) as {
  secrets: { values: Record<string, string> }
}

function verbsByResource(rules: V1PolicyRule[]): Record<string, string[]> {
  const verbs: Record<string, string[]> = {}
  for (const rule of rules) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const key = `${group}/${resource}`
        verbs[key] = [...(verbs[key] ?? []), ...rule.verbs].sort()
      }
    }
  }
  return verbs
}

function podSpecs(rendered: Rendered): Array<{ owner: string; spec: V1PodSpec }> {
  const deployments = rendered.find('Deployment').map((object) => ({
    owner: `Deployment/${object.metadata.name}`,
    spec: (object as unknown as V1Deployment).spec!.template.spec!,
  }))
  const jobs = rendered.find('Job').map((object) => ({
    owner: `Job/${object.metadata.name}`,
    spec: (object as unknown as V1Job).spec!.template.spec!,
  }))
  return [...deployments, ...jobs]
}

const isHook = (object: KubeObject) => object.metadata.annotations?.['helm.sh/hook'] !== undefined
const hookWeight = (object: KubeObject) => Number(object.metadata.annotations?.['helm.sh/hook-weight'] ?? 0)
const serverDeployment = (rendered: Rendered) => rendered.one('Deployment') as unknown as V1Deployment
const serverContainer = (rendered: Rendered): V1Container =>
  serverDeployment(rendered).spec!.template.spec!.containers[0]!
const envOf = (container: V1Container, name: string) => container.env?.find((item) => item.name === name)

describeWithHelm('rendered chart', () => {
  const sets: Record<string, Rendered> = {}

  beforeAll(() => {
    sets.default = render(helm!)
    sets['all-on'] = render(helm!, ['-f', ALL_ON_VALUES])
  })

  const eachSet = (title: string, check: (rendered: Rendered, name: string) => void) =>
    test.each([['default'], ['all-on']])(`${title} (%s values)`, (name) => check(sets[name]!, name))

  eachSet('renders the service, its RBAC, catalog, hook Job, PDB and NetworkPolicy', (rendered) => {
    for (const kind of [
      'Deployment',
      'Service',
      'ServiceAccount',
      'Role',
      'RoleBinding',
      'ConfigMap',
      'Job',
      'PodDisruptionBudget',
      'NetworkPolicy',
      'WorkflowTemplate',
    ]) {
      expect([kind, rendered.find(kind).length > 0]).toEqual([kind, true])
    }
  })

  eachSet('every container has resources and a locked-down security context', (rendered) => {
    for (const { owner, spec } of podSpecs(rendered)) {
      const pod = spec.securityContext ?? {}
      expect([owner, pod.runAsNonRoot]).toEqual([owner, true])
      for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
        const where = `${owner} container ${container.name}`
        const security = container.securityContext ?? {}
        expect([where, container.resources?.requests?.memory !== undefined]).toEqual([where, true])
        expect([where, container.resources?.limits?.memory !== undefined]).toEqual([where, true])
        expect([where, security.allowPrivilegeEscalation]).toEqual([where, false])
        expect([where, security.readOnlyRootFilesystem]).toEqual([where, true])
        expect([where, security.runAsNonRoot ?? pod.runAsNonRoot]).toEqual([where, true])
        expect([where, security.capabilities?.drop]).toEqual([where, ['ALL']])
        expect([where, (security.seccompProfile ?? pod.seccompProfile)?.type]).toEqual([
          where,
          'RuntimeDefault',
        ])
        // A read-only root filesystem needs somewhere to write.
        expect([where, container.volumeMounts?.some((mount) => mount.mountPath === '/tmp')]).toEqual([
          where,
          true,
        ])
      }
    }
  })

  eachSet(
    'the long-running containers have liveness and readiness probes on the health endpoints',
    (rendered) => {
      for (const container of serverDeployment(rendered).spec!.template.spec!.containers) {
        expect(container.livenessProbe?.httpGet?.path).toBe('/api/v1/health/liveness')
        expect(container.readinessProbe?.httpGet?.path).toBe('/api/v1/health/readiness')
        expect(container.ports?.[0]?.containerPort).toBe(8080)
      }
    },
  )

  eachSet('the service Role grants exactly the verbs the service uses', (rendered) => {
    const role = rendered.one('Role', (object) => !object.metadata.name.endsWith('-workflow'))
    const rules = (role as unknown as { rules: V1PolicyRule[] }).rules
    expect(verbsByResource(rules)).toEqual(SERVICE_VERBS)
    const fromFile = parse(readFileSync('helm/compchem-fileprocessor/files/rbac/service-rules.yaml', 'utf8'))
    expect(rules).toEqual(fromFile)
    const binding = rendered.one('RoleBinding', (object) => object.metadata.name === role.metadata.name) as {
      subjects: Array<{ name: string }>
    } & KubeObject
    expect(binding.subjects[0]!.name).toBe(serverDeployment(rendered).spec!.template.spec!.serviceAccountName)
  })

  eachSet(
    'the workflow pods get what the executor needs and run under their own ServiceAccount',
    (rendered, name) => {
      const role = rendered.one('Role', (object) => object.metadata.name.endsWith('-workflow'))
      const expected = name === 'all-on' ? LEGACY_EXECUTOR_VERBS : EXECUTOR_VERBS
      expect(verbsByResource((role as unknown as { rules: V1PolicyRule[] }).rules)).toEqual(expected)
      const account = rendered.one('ServiceAccount', (object) => object.metadata.name === role.metadata.name)
      expect(envOf(serverContainer(rendered), 'WORKFLOW_SERVICE_ACCOUNT')?.value).toBe(account.metadata.name)
      expect(account.metadata.namespace).toBe(envOf(serverContainer(rendered), 'KUBE_NAMESPACE')?.value)
    },
  )

  test('no secret value appears in a ConfigMap, an env value or an annotation', () => {
    const rendered = sets['all-on']!
    const secretValues = Object.values(allOnValues.secrets.values)
    expect(secretValues.length).toBeGreaterThan(0)
    const exposed = rendered.objects
      .filter((object) => object.kind !== 'Secret')
      .map((object) => JSON.stringify(object))
      .filter((text) => secretValues.some((secret) => text.includes(secret)))
    expect(exposed).toEqual([])
    for (const set of Object.values(sets)) {
      const container = serverContainer(set)
      for (const name of ['DATABASE_URL', 'INVENIO_SERVICE_TOKEN', 'ARGO_SERVER_TOKEN']) {
        const variable = envOf(container, name)
        expect([name, variable?.value, variable?.valueFrom?.secretKeyRef?.key !== undefined]).toEqual([
          name,
          undefined,
          true,
        ])
      }
    }
  })

  eachSet('the catalog ConfigMap is mounted as a directory, never with subPath', (rendered) => {
    const spec = serverDeployment(rendered).spec!.template.spec!
    const volume = spec.volumes!.find((item) => item.configMap !== undefined)!
    const configMap = rendered.one('ConfigMap', (object) => object.metadata.name === volume.configMap!.name)
    const mount = serverContainer(rendered).volumeMounts!.find((item) => item.name === volume.name)!
    expect(mount.subPath).toBeUndefined()
    const catalogFile = envOf(serverContainer(rendered), 'CATALOG_FILE')!.value!
    expect(catalogFile.startsWith(`${mount.mountPath}/`)).toBe(true)
    const key = catalogFile.slice(mount.mountPath.length + 1)
    expect(Object.keys((configMap as { data: Record<string, string> } & KubeObject).data)).toEqual([key])
    expect(parse((configMap as { data: Record<string, string> } & KubeObject).data[key]!)).toHaveProperty(
      'workflows',
    )
    for (const { spec: podSpec } of podSpecs(rendered)) {
      for (const container of podSpec.containers) {
        expect(container.volumeMounts?.filter((item) => item.subPath !== undefined) ?? []).toEqual([])
      }
    }
    // A catalog edit must not roll the pods: no checksum annotation of it on the pod template.
    const annotations = serverDeployment(rendered).spec!.template.metadata!.annotations ?? {}
    expect(Object.keys(annotations).filter((key) => key.startsWith('checksum/'))).toEqual([])
  })

  eachSet('the catalog is valid and every step it names is a template the chart installs', (rendered) => {
    const configMap = rendered.one('ConfigMap', (object) => object.metadata.name.endsWith('-catalog'))
    const [text] = Object.values((configMap as { data: Record<string, string> } & KubeObject).data)
    const result = parseCatalog(text!, configMap.metadata.name)
    if (!result.ok) throw new Error(JSON.stringify(result.errors))
    const installed = new Map(
      rendered
        .find('WorkflowTemplate')
        .map((object) => [
          object.metadata.name,
          (
            (object as { spec: { templates: Array<{ name: string }> } } & KubeObject).spec.templates ?? []
          ).map((template) => template.name),
        ]),
    )
    for (const type of result.catalog.types) {
      for (const step of type.steps) {
        const ref = `${step.templateRef.name}/${step.templateRef.template}`
        expect([ref, installed.get(step.templateRef.name)?.includes(step.templateRef.template)]).toEqual([
          ref,
          true,
        ])
      }
    }
  })

  eachSet(
    'migrations run in a pre-install/pre-upgrade hook Job with hook objects of its own',
    (rendered, name) => {
      const job = rendered.one('Job')
      expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade')
      expect(job.metadata.annotations?.['helm.sh/hook-delete-policy']).toContain('before-hook-creation')
      const spec = (job as unknown as V1Job).spec!.template.spec!
      expect(spec.containers[0]!.args).toEqual(['node', 'dist/cli/index.js', 'db', 'migrate'])
      const account = rendered.one(
        'ServiceAccount',
        (object) => object.metadata.name === spec.serviceAccountName,
      )
      expect(isHook(account) && hookWeight(account) < hookWeight(job)).toBe(true)
      const secretName = envOf(spec.containers[0]!, 'DATABASE_URL')!.valueFrom!.secretKeyRef!.name
      const secrets = rendered.find('Secret', (object) => object.metadata.name === secretName)
      if (name === 'all-on') {
        // The chart's own Secret does not exist yet when a pre-install hook runs: the Job uses a hook copy.
        expect(secrets.length === 1 && isHook(secrets[0]!) && hookWeight(secrets[0]!) < hookWeight(job)).toBe(
          true,
        )
      } else {
        expect(secrets).toEqual([])
      }
      expect(envOf(serverContainer(rendered), 'DB_MIGRATE_ON_START')?.value).toBe('false')
    },
  )

  eachSet('the PodDisruptionBudget and NetworkPolicy select the server pods', (rendered) => {
    const selector = serverDeployment(rendered).spec!.selector.matchLabels
    const pdb = rendered.one('PodDisruptionBudget') as {
      spec: { selector: { matchLabels: object } }
    } & KubeObject
    expect(pdb.spec.selector.matchLabels).toEqual(selector)
    const policy = rendered.one('NetworkPolicy') as {
      spec: {
        podSelector: { matchLabels: object }
        ingress: Array<{ ports: Array<{ port: number }> }>
        egress: Array<{ ports?: Array<{ port: number }> }>
      }
    } & KubeObject
    expect(policy.spec.podSelector.matchLabels).toEqual(selector)
    expect(policy.spec.ingress.flatMap((rule) => rule.ports.map((port) => port.port))).toEqual([8080])
    const egressPorts = policy.spec.egress.flatMap((rule) => (rule.ports ?? []).map((port) => port.port))
    expect(egressPorts).toEqual(expect.arrayContaining([53, 443, 5432]))
  })

  eachSet(
    'the shipped WorkflowTemplates follow the file transfer mode and keep their Argo expressions',
    (rendered, name) => {
      const templates = rendered.find('WorkflowTemplate')
      const namespace = envOf(serverContainer(rendered), 'KUBE_NAMESPACE')?.value
      expect(templates.every((template) => template.metadata.namespace === namespace)).toBe(true)
      const transfer = name === 'all-on' ? 'artifacts' : 'volume'
      expect(envOf(serverContainer(rendered), 'FILE_TRANSFER')?.value).toBe(transfer)
      expect(
        templates.map((template) => template.metadata.labels?.['compchem.cz/transfer'] ?? transfer),
      ).toEqual(templates.map(() => transfer))
      expect(JSON.stringify(templates)).toContain('{{inputs.parameters.')
    },
  )

  test('the Ingress keeps server-sent events flowing, and the ServiceMonitor scrapes /metrics', () => {
    const rendered = sets['all-on']!
    const annotations = rendered.one('Ingress').metadata.annotations ?? {}
    expect(annotations['nginx.ingress.kubernetes.io/proxy-buffering']).toBe('off')
    expect(Number(annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600)
    expect(annotations['cert-manager.io/cluster-issuer']).toBe('letsencrypt')
    expect(JSON.stringify(rendered.one('ServiceMonitor'))).toContain('"path":"/metrics"')
    expect(sets.default!.find('Ingress')).toEqual([])
    expect(sets.default!.find('ServiceMonitor')).toEqual([])
  })

  test('values.schema.json refuses values of the wrong type or shape', () => {
    for (const bad of [
      ['--set', 'replicaCount=two'],
      ['--set', 'fileTransfer.mode=ftp'],
      ['--set', 'env.DATABASE_URL=postgresql://u:p@h/db'],
      ['--set', 'unknownKey=1'],
    ]) {
      const result = renderFails(helm!, bad)
      expect([bad.join(' '), result.failed]).toEqual([bad.join(' '), true])
      expect(result.stderr).toMatch(/schema|values don't meet/i)
    }
  })
})
