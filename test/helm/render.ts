// Renders the chart with the helm binary for the manifest tests. helm: $HELM_BIN, else `helm` on PATH;
// without one the tests say so and skip (CI installs it: see scripts/helm-check.sh).
import { execFileSync, spawnSync } from 'node:child_process'
import { parseAllDocuments } from 'yaml'

export const CHART = 'helm/compchem-fileprocessor'
export const ALL_ON_VALUES = `${CHART}/ci/all-on-values.yaml`
export const RELEASE_NAMESPACE = 'compchem'

export function findHelm(): string | undefined {
  if (process.env.HELM_BIN) return process.env.HELM_BIN
  const found = spawnSync('sh', ['-c', 'command -v helm'], { encoding: 'utf8' })
  return found.status === 0 && found.stdout.trim() ? found.stdout.trim() : undefined
}

export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
  }
  [field: string]: unknown
}

export interface Rendered {
  objects: KubeObject[]
  text: string
  find(kind: string, predicate?: (object: KubeObject) => boolean): KubeObject[]
  one(kind: string, predicate?: (object: KubeObject) => boolean): KubeObject
}

function helmArgs(extra: string[]): string[] {
  // A helm built with `go install` believes the cluster is Kubernetes 1.20: render for a current one.
  const kubeVersion = process.env.KUBE_VERSION ?? '1.31.0'
  return [
    'template',
    'fileprocessor',
    CHART,
    '--namespace',
    RELEASE_NAMESPACE,
    '--kube-version',
    kubeVersion,
    ...extra,
  ]
}

export function render(helm: string, extra: string[] = []): Rendered {
  const text = execFileSync(helm, helmArgs(extra), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  const objects = parseAllDocuments(text)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null)
  const find = (kind: string, predicate: (object: KubeObject) => boolean = () => true) =>
    objects.filter((object) => object.kind === kind && predicate(object))
  return {
    objects,
    text,
    find,
    one: (kind, predicate) => {
      const found = find(kind, predicate)
      if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`)
      return found[0]!
    },
  }
}

/** helm's exit status and error text for values that should be refused. */
export function renderFails(helm: string, extra: string[]): { failed: boolean; stderr: string } {
  const result = spawnSync(helm, helmArgs(extra), { encoding: 'utf8' })
  return { failed: result.status !== 0, stderr: result.stderr }
}
