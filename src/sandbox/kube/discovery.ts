// Discovery documents, enough for clients that look up groups, versions and resources first.
import { RESOURCES, apiVersionOf, type ResourceInfo } from './resources.js'

const ARGO_GROUP = 'argoproj.io'
const ARGO_VERSION = 'v1alpha1'

export const VERSION_INFO = {
  major: '1',
  minor: '33',
  gitVersion: 'v1.33.0',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-04-23T00:00:00Z',
  goVersion: 'go1.24.2',
  compiler: 'gc',
  platform: 'linux/amd64',
}

function resourceEntry(info: ResourceInfo) {
  const entry: Record<string, unknown> = {
    name: info.resource,
    singularName: info.singular,
    namespaced: info.namespaced,
    kind: info.kind,
    verbs: info.verbs,
  }
  if (info.shortNames.length) entry.shortNames = info.shortNames
  if (info.group === ARGO_GROUP) entry.categories = ['all']
  return entry
}

export function discovery(path: string, serverAddress: string): unknown {
  const group = {
    name: ARGO_GROUP,
    versions: [{ groupVersion: `${ARGO_GROUP}/${ARGO_VERSION}`, version: ARGO_VERSION }],
    preferredVersion: { groupVersion: `${ARGO_GROUP}/${ARGO_VERSION}`, version: ARGO_VERSION },
  }
  switch (path) {
    case '/version':
      return VERSION_INFO
    case '/api':
      return {
        kind: 'APIVersions',
        versions: ['v1'],
        serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
      }
    case '/apis':
      return { kind: 'APIGroupList', apiVersion: 'v1', groups: [group] }
    case `/apis/${ARGO_GROUP}`:
      return { kind: 'APIGroup', apiVersion: 'v1', ...group }
    case `/apis/${ARGO_GROUP}/${ARGO_VERSION}`:
    case '/api/v1': {
      const groupVersion = path === '/api/v1' ? 'v1' : `${ARGO_GROUP}/${ARGO_VERSION}`
      const infos = Object.values(RESOURCES).filter((r) => apiVersionOf(r) === groupVersion)
      const resources = infos.map(resourceEntry)
      if (groupVersion === 'v1') {
        resources.push({ name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] })
      }
      return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion, resources }
    }
    default:
      return undefined
  }
}
