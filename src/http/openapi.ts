// Loads the OpenAPI document that sits next to this module (src/http under tsx and jest, dist/http
// after `npm run build`, where scripts/copy-assets.mjs puts it).
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'

export interface OpenApiDocument {
  openapi: string
  info: { title: string; version: string; [key: string]: unknown }
  paths: Record<string, Record<string, unknown>>
  components?: Record<string, Record<string, unknown>>
  [key: string]: unknown
}

export const OPENAPI_DOCUMENT_URL = new URL('./openapi.yaml', import.meta.url)

let cached: OpenApiDocument | undefined

/** A fresh copy each call: callers (the validator, tests adding paths) may change what they get. */
export function loadOpenApiDocument(): OpenApiDocument {
  cached ??= parseOpenApiDocument(readFileSync(OPENAPI_DOCUMENT_URL, 'utf8'))
  return structuredClone(cached)
}

export function parseOpenApiDocument(text: string): OpenApiDocument {
  const document = parse(text) as OpenApiDocument
  if (!document || typeof document.openapi !== 'string' || typeof document.paths !== 'object') {
    throw new Error('The OpenAPI document has no openapi version or no paths')
  }
  return document
}

/**
 * Returns a copy of the document with more paths (and schemas). For tests that need an operation
 * the product does not have; the product's own paths belong in openapi.yaml.
 */
export function withExtraPaths(
  document: OpenApiDocument,
  paths: OpenApiDocument['paths'],
  schemas: Record<string, unknown> = {},
): OpenApiDocument {
  const copy = structuredClone(document)
  for (const path of Object.keys(paths)) {
    if (path in copy.paths) throw new Error(`The OpenAPI document already has the path ${path}`)
  }
  copy.paths = { ...copy.paths, ...structuredClone(paths) }
  copy.components = {
    ...copy.components,
    schemas: { ...copy.components?.schemas, ...structuredClone(schemas) },
  }
  return copy
}
