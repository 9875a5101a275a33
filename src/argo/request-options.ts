import {
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type RequestContext,
} from '@kubernetes/client-node'

// client-node 2.x takes per-call middleware; its object API runs the Observable flavour.
function beforeSend(change: (context: RequestContext) => void): ObservableMiddleware {
  return {
    pre: (context) => {
      change(context)
      return new Observable(Promise.resolve(context))
    },
    post: (context) => new Observable(Promise.resolve(context)),
  }
}

/** Options that bound the call's time and, for patches, choose the patch's content type. */
export function requestOptions(timeoutMs: number, contentType?: string): ConfigurationOptions {
  const chain = [beforeSend((context) => context.setSignal(AbortSignal.timeout(timeoutMs)))]
  // The generated patch methods default to JSON Patch; merge patches must say so.
  if (contentType) chain.push(beforeSend((context) => context.setHeaderParam('Content-Type', contentType)))
  return { middleware: chain, middlewareMergeStrategy: 'append' }
}
