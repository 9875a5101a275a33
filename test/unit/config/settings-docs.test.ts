// docs/configuration.md must list every setting of the table with its default, so they cannot drift.
import { readFileSync } from 'node:fs'
import { documentedDefault, settingSpecs } from '../../../src/config/index.js'

const docs = readFileSync(new URL('../../../docs/configuration.md', import.meta.url), 'utf8')

/** `| \`PORT\` | \`8080\` | …` rows → PORT → 8080 */
function documentedRows(): Map<string, string> {
  const rows = new Map<string, string>()
  for (const line of docs.split('\n')) {
    const match = /^\|\s*`([A-Z0-9_]+)`\s*\|([^|]+)\|/.exec(line)
    if (match?.[1] && match[2]) rows.set(match[1], match[2].trim().replace(/^`(.*)`$/, '$1'))
  }
  return rows
}

const rows = documentedRows()

test.each(settingSpecs().map(([, spec]) => [spec.env, spec] as const))(
  '%s is documented with its default',
  (env, spec) => {
    expect(rows.has(env)).toBe(true)
    expect(rows.get(env)).toBe(documentedDefault(spec))
  },
)

test('the docs list no setting that does not exist', () => {
  const known = new Set(settingSpecs().map(([, spec]) => spec.env))
  expect([...rows.keys()].filter((env) => !known.has(env))).toEqual([])
})

test('secret settings are marked secret in the docs', () => {
  for (const [, spec] of settingSpecs()) {
    const line = docs.split('\n').find((row) => new RegExp(`^\\|\\s*\`${spec.env}\`\\s*\\|`).test(row)) ?? ''
    expect({ env: spec.env, secret: line.includes('**Secret.**') }).toEqual({
      env: spec.env,
      secret: Boolean(spec.secret),
    })
  }
})
