export { MemoryStore, kubeTime, randomSuffix } from './store.js'
export type {
  StoredEvent,
  WriteOptions,
  DeleteOptions,
  PropagationPolicy,
  MemoryStoreOptions,
} from './store.js'
export { MemoryPodLogStore } from './logs.js'
export * from './errors.js'
export { RESOURCES, apiVersionOf, resourceForKind } from './resources.js'
export type { ResourceInfo } from './resources.js'
export { startKubeApiServer, kubeconfigYaml } from './server.js'
export type { KubeApiServer, KubeApiServerOptions, KubeApiLogger } from './server.js'
export { FaultInjector } from './faults.js'
export type { FailureRule, FaultState } from './faults.js'
export type { RbacTable, RbacRule, RbacSubject } from './rbac.js'
export { MINIMAL_SCHEMA } from './schema.js'
export type { StructuralSchema } from './schema.js'
