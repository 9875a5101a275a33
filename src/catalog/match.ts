// Which workflow types apply to a file: its MIME type AND its extension must both be allowed, and
// a type with a contentPattern also needs the start of the file to match.
import type { Catalog, WorkflowType } from '../config/catalog.js'

/** How much of the start of a file contentPattern looks at. */
export const HEAD_BYTES = 64 * 1024

export interface FileToMatch {
  /** Invenio file key; may contain '/', spaces and any Unicode. */
  key: string
  mimetype: string
}

export interface FileMatch {
  /** Types that apply, in catalog order. */
  matches: WorkflowType[]
  /**
   * Types whose MIME type and extension fit but that have a contentPattern and no head was
   * given: call again with the first HEAD_BYTES of the file to decide. Empty when a head is given.
   */
  needsContent: WorkflowType[]
}

/**
 * The types for one file. Without `head`, types with a contentPattern are never guessed: they
 * are returned in `needsContent` instead of `matches`.
 */
export function typesForFile(catalog: Catalog, file: FileToMatch, head?: Buffer | string): FileMatch {
  const mimetype = normalizeMimetype(file.mimetype)
  const extension = fileExtension(file.key, catalogExtensions(catalog))
  const text = head === undefined ? undefined : headText(head)
  const result: FileMatch = { matches: [], needsContent: [] }
  for (const type of catalog.types) {
    if (!mimetypeAllowed(type.match.mimetypes, mimetype)) continue
    if (!extensionAllowed(type.match.extensions, extension)) continue
    const pattern = contentRegExp(type)
    if (!pattern) result.matches.push(type)
    else if (text === undefined) result.needsContent.push(type)
    else if (pattern.test(text)) result.matches.push(type)
  }
  return result
}

/** True when `typesForFile` may need the head of this file (some candidate has a contentPattern). */
export function needsHead(catalog: Catalog, file: FileToMatch): boolean {
  return typesForFile(catalog, file).needsContent.length > 0
}

/** `text/plain; charset=utf-8` → `text/plain`. */
export function normalizeMimetype(mimetype: string): string {
  return (mimetype.split(';')[0] ?? '').trim().toLowerCase()
}

function mimetypeAllowed(allowed: readonly string[], mimetype: string): boolean {
  return allowed.some((pattern) => {
    if (pattern === '*') return true
    if (pattern.endsWith('/*')) return mimetype.startsWith(pattern.slice(0, -1))
    return pattern === mimetype
  })
}

function extensionAllowed(allowed: readonly string[], extension: string | undefined): boolean {
  return allowed.includes('*') || (extension !== undefined && allowed.includes(extension))
}

const extensionsByCatalog = new WeakMap<Catalog, ReadonlySet<string>>()

/** Every extension the catalog lists (lowercase, '*' left out). */
export function catalogExtensions(catalog: Catalog): ReadonlySet<string> {
  let extensions = extensionsByCatalog.get(catalog)
  if (!extensions) {
    extensions = new Set(
      catalog.types.flatMap((type) => type.match.extensions).filter((extension) => extension !== '*'),
    )
    extensionsByCatalog.set(catalog, extensions)
  }
  return extensions
}

/**
 * The extension of a key's basename, lowercase with its dot. Among the suffixes that start at a
 * dot (`a.tar.gz` → `.tar.gz`, `.gz`), the longest one listed in `known` wins; otherwise the last
 * one. A leading dot does not start an extension (`.bashrc` has none, `.hidden.log` has `.log`),
 * and neither does a trailing one (`name.`).
 */
export function fileExtension(key: string, known: ReadonlySet<string> = new Set()): string | undefined {
  const name = (key.split('/').pop() ?? '').toLowerCase()
  const suffixes: string[] = []
  for (let index = name.indexOf('.', 1); index > 0; index = name.indexOf('.', index + 1)) {
    const suffix = name.slice(index)
    if (!suffix.split('.').slice(1).includes('')) suffixes.push(suffix)
  }
  // suffixes run from longest to shortest.
  return suffixes.find((suffix) => known.has(suffix)) ?? suffixes.at(-1)
}

const compiledPatterns = new WeakMap<WorkflowType, RegExp>()

function contentRegExp(type: WorkflowType): RegExp | undefined {
  if (type.match.contentPattern === undefined) return undefined
  let pattern = compiledPatterns.get(type)
  if (!pattern) {
    pattern = new RegExp(type.match.contentPattern, 'm')
    compiledPatterns.set(type, pattern)
  }
  return pattern
}

/** The head as text: at most HEAD_BYTES, decoded as UTF-8 (invalid bytes become U+FFFD). */
function headText(head: Buffer | string): string {
  if (typeof head === 'string') return head.length > HEAD_BYTES ? head.slice(0, HEAD_BYTES) : head
  return head.subarray(0, HEAD_BYTES).toString('utf8')
}
