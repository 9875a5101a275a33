// Parameter substitution and the small expression languages of `when` and DAG `depends`.

/** Replaces `{{name}}` occurrences whose name is in scope; unknown references are left as written. */
export function substitute(text: string, scope: Record<string, string>): string {
  return text.replace(/\{\{\s*([^{}]+?)\s*\}\}/g, (whole, key: string) =>
    key in scope ? scope[key]! : whole,
  )
}

/** Substitutes into every string inside a JSON-like value. */
export function substituteDeep<T>(value: T, scope: Record<string, string>): T {
  if (typeof value === 'string') return substitute(value, scope) as T
  if (Array.isArray(value)) return value.map((v: unknown) => substituteDeep(v, scope)) as T
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[k] = substituteDeep(v, scope)
    return out as T
  }
  return value
}

type Token = { kind: 'op'; text: string } | { kind: 'word'; text: string; quoted: boolean }
type Ast =
  | { kind: 'word'; text: string; quoted: boolean }
  | { kind: 'not'; operand: Ast }
  | { kind: 'and' | 'or'; left: Ast; right: Ast }
  | { kind: 'cmp'; op: string; left: Ast; right: Ast }

const OPERATORS = ['&&', '||', '==', '!=', '<=', '>=', '<', '>', '!', '(', ')']

function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const ch = input[i]!
    if (/\s/.test(ch)) {
      i++
      continue
    }
    if (ch === '"' || ch === "'") {
      const end = input.indexOf(ch, i + 1)
      if (end < 0) throw new Error(`unterminated string in '${input}'`)
      tokens.push({ kind: 'word', text: input.slice(i + 1, end), quoted: true })
      i = end + 1
      continue
    }
    const op = OPERATORS.find((o) => input.startsWith(o, i))
    if (op) {
      tokens.push({ kind: 'op', text: op })
      i += op.length
      continue
    }
    let j = i
    while (j < input.length && !/\s/.test(input[j]!) && !OPERATORS.some((o) => input.startsWith(o, j))) j++
    tokens.push({ kind: 'word', text: input.slice(i, j), quoted: false })
    i = j
  }
  return tokens
}

function parse(input: string): Ast {
  const tokens = tokenize(input)
  let pos = 0
  const peek = (): Token | undefined => tokens[pos]
  const isOp = (text: string): boolean => {
    const t = peek()
    return t?.kind === 'op' && t.text === text
  }
  const parseOr = (): Ast => {
    let left = parseAnd()
    while (isOp('||')) {
      pos++
      left = { kind: 'or', left, right: parseAnd() }
    }
    return left
  }
  const parseAnd = (): Ast => {
    let left = parseComparison()
    while (isOp('&&')) {
      pos++
      left = { kind: 'and', left, right: parseComparison() }
    }
    return left
  }
  const parseComparison = (): Ast => {
    const left = parseUnary()
    const t = peek()
    if (t?.kind === 'op' && ['==', '!=', '<', '>', '<=', '>='].includes(t.text)) {
      pos++
      return { kind: 'cmp', op: t.text, left, right: parseUnary() }
    }
    return left
  }
  const parseUnary = (): Ast => {
    const t = peek()
    if (!t) throw new Error(`unexpected end of expression '${input}'`)
    if (t.kind === 'op' && t.text === '!') {
      pos++
      return { kind: 'not', operand: parseUnary() }
    }
    if (t.kind === 'op' && t.text === '(') {
      pos++
      const inner = parseOr()
      if (!isOp(')')) throw new Error(`missing ')' in '${input}'`)
      pos++
      return inner
    }
    if (t.kind === 'word') {
      pos++
      return t
    }
    throw new Error(`unexpected '${t.text}' in '${input}'`)
  }
  const ast = parseOr()
  if (pos !== tokens.length) throw new Error(`unexpected '${tokens[pos]!.text}' in '${input}'`)
  return ast
}

function truthy(word: string): boolean {
  return word === 'true'
}

function compare(op: string, a: string, b: string): boolean {
  const numeric = a.trim() !== '' && b.trim() !== '' && !isNaN(Number(a)) && !isNaN(Number(b))
  const x: string | number = numeric ? Number(a) : a
  const y: string | number = numeric ? Number(b) : b
  switch (op) {
    case '==':
      return x === y
    case '!=':
      return x !== y
    case '<':
      return x < y
    case '>':
      return x > y
    case '<=':
      return x <= y
    default:
      return x >= y
  }
}

function evaluate(ast: Ast, word: (text: string, quoted: boolean) => boolean): boolean {
  switch (ast.kind) {
    case 'word':
      return word(ast.text, ast.quoted)
    case 'not':
      return !evaluate(ast.operand, word)
    case 'and':
      return evaluate(ast.left, word) && evaluate(ast.right, word)
    case 'or':
      return evaluate(ast.left, word) || evaluate(ast.right, word)
    case 'cmp': {
      if (ast.left.kind !== 'word' || ast.right.kind !== 'word') throw new Error('comparison of non-values')
      return compare(ast.op, ast.left.text, ast.right.text)
    }
  }
}

/** Evaluates an already substituted `when` expression; bare words compare as strings, as Argo's examples use them. */
export function evaluateWhen(expression: string): boolean {
  return evaluate(parse(expression), (text) => truthy(text))
}

export type TaskResult = 'Succeeded' | 'Failed' | 'Errored' | 'Skipped' | 'Omitted' | 'Daemoned'

/** Task names a `depends` expression refers to, in order of first appearance. */
export function dependsTaskNames(expression: string): string[] {
  const names: string[] = []
  for (const token of tokenize(expression)) {
    if (token.kind !== 'word') continue
    const name = splitDependsWord(token.text).task
    if (!names.includes(name)) names.push(name)
  }
  return names
}

function splitDependsWord(word: string): { task: string; result?: string } {
  const dot = word.lastIndexOf('.')
  if (dot > 0) return { task: word.slice(0, dot), result: word.slice(dot + 1) }
  return { task: word }
}

/**
 * Evaluates `depends` once every referenced task is complete. A bare task name means
 * `(task.Succeeded || task.Skipped || task.Daemoned)`, as in Argo.
 */
export function evaluateDepends(
  expression: string,
  resultOf: (task: string) => TaskResult | undefined,
): boolean {
  return evaluate(parse(expression), (text) => {
    const { task, result } = splitDependsWord(text)
    const actual = resultOf(task)
    if (result === undefined) return actual === 'Succeeded' || actual === 'Skipped' || actual === 'Daemoned'
    if (result === 'AnySucceeded') return actual === 'Succeeded'
    if (result === 'AllFailed') return actual === 'Failed'
    return actual === result
  })
}
