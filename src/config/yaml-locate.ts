// Maps a JSON path (ajv's instancePath) back to a line and column in the YAML text it came from.
import { isMap, isSeq, isScalar, isPair, type Document, type LineCounter, type Node } from 'yaml'

export interface Position {
  line: number
  column: number
}

/** Splits `/workflows/1/steps/0` into ['workflows', 1, 'steps', 0] (JSON Pointer unescaping). */
export function pointerSegments(pointer: string): Array<string | number> {
  if (pointer === '') return []
  return pointer
    .slice(1)
    .split('/')
    .map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part))
}

/** `workflows[1].steps[0]`, the way people read paths. */
export function displayPath(segments: ReadonlyArray<string | number>): string {
  let out = ''
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`
    else if (/^[A-Za-z_][\w-]*$/.test(segment)) out += out === '' ? segment : `.${segment}`
    else out += `[${JSON.stringify(segment)}]`
  }
  return out === '' ? '(top level)' : out
}

export class YamlLocator {
  constructor(
    private readonly document: Document,
    private readonly lineCounter: LineCounter,
  ) {}

  position(offset: number): Position {
    const { line, col } = this.lineCounter.linePos(offset)
    return { line, column: col }
  }

  /**
   * The node at `segments`, or its nearest ancestor that exists. With `key`, the key of that
   * property inside the node (for unknown fields), when present.
   */
  locate(segments: ReadonlyArray<string | number>, key?: string): Position {
    let node: unknown = this.document.contents
    for (const segment of segments) {
      const child = childOf(node, segment)
      if (child === undefined) break
      node = child
    }
    if (key !== undefined && isMap(node)) {
      const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key)
      if (pair && isScalar(pair.key) && pair.key.range) return this.position(pair.key.range[0])
    }
    const range = (node as Node | null)?.range
    return this.position(range ? range[0] : 0)
  }
}

function childOf(node: unknown, segment: string | number): unknown {
  if (isSeq(node) && typeof segment === 'number') return node.items[segment] ?? undefined
  if (isMap(node)) {
    const pair = node.items.find(
      (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment),
    )
    return pair?.value ?? undefined
  }
  return undefined
}
