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
