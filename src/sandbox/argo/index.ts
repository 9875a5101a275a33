export { ArgoControllerSimulator } from './controller.js'
export type { ArgoControllerOptions, ControllerLogger } from './controller.js'
export { BEHAVIOR_ANNOTATION, RESULT_PATH } from './behavior.js'
export type { StepBehavior, StepResult, BehaviorMap } from './behavior.js'
export { createSpeedClock } from './clock.js'
export {
  ArgoServerError,
  formulateRetryWorkflow,
  resumeWorkflow,
  retryWorkflow,
  shutdownWorkflow,
  suspendWorkflow,
} from './lifecycle.js'
export type { RetryOptions } from './lifecycle.js'
export { createArgoServerHandler } from './server.js'
export type { ArgoServerHandler, ArgoServerHandlerOptions } from './server.js'
export { compressNodes, decompressNodes, readNodes } from './nodes-codec.js'
export { fnv32a, nodeId, podName, templateNameOfNode, onExitNodeName } from './names.js'
export { DEADLINE_MESSAGE, shutdownMessage } from './operator.js'
export type * from './model.js'
