// The optional YAML overlay named by SETTINGS_FILE: a flat map from environment names to scalars.
import { readFileSync } from 'node:fs'
import { LineCounter, parseDocument, isMap, isScalar } from 'yaml'
import { SettingsError, quote } from './settings-error.js'

/** Reads the YAML overlay: a flat map from environment names to scalar values. */
export function readSettingsFile(path: string, knownNames: ReadonlySet<string>): Map<string, string> {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new SettingsError(
      `SETTINGS_FILE: ${quote(path)} cannot be read (${reason}); set SETTINGS_FILE to a readable YAML file or unset it`,
      'SETTINGS_FILE',
    )
  }
  const lineCounter = new LineCounter()
  const document = parseDocument(text, { lineCounter, prettyErrors: false })
  const at = (offset: number | undefined): string => {
    const { line, col } = lineCounter.linePos(offset ?? 0)
    return `${path}:${line}:${col}`
  }
  const firstError = document.errors[0]
  if (firstError) {
    throw new SettingsError(
      `SETTINGS_FILE: ${at(firstError.pos[0])}: ${firstError.message.split('\n')[0]}; fix the YAML syntax`,
      'SETTINGS_FILE',
    )
  }
  const values = new Map<string, string>()
  if (document.contents === null) return values
  if (!isMap(document.contents)) {
    throw new SettingsError(
      `SETTINGS_FILE: ${at(document.contents.range?.[0])}: the file is not a mapping; write one KEY: value per line`,
      'SETTINGS_FILE',
    )
  }
  for (const pair of document.contents.items) {
    const keyNode = pair.key
    const key = isScalar(keyNode) ? String(keyNode.value) : ''
    if (!knownNames.has(key) || key === 'SETTINGS_FILE') {
      throw new SettingsError(
        `${key || 'SETTINGS_FILE'}: ${at(isScalar(keyNode) ? keyNode.range?.[0] : undefined)}: not a setting that can be set in the file; ${fixForUnknownKey(key, [...knownNames])}`,
        key || 'SETTINGS_FILE',
      )
    }
    const valueNode = pair.value
    if (valueNode === null || (isScalar(valueNode) && valueNode.value === null)) continue
    if (!isScalar(valueNode)) {
      throw new SettingsError(
        `${key}: ${at(valueNode.range?.[0])}: is not a single value; set ${key} to a string, number or boolean`,
        key,
      )
    }
    values.set(key, String(valueNode.value))
  }
  return values
}

function fixForUnknownKey(key: string, names: string[]): string {
  if (key === 'SETTINGS_FILE') return 'set SETTINGS_FILE in the environment instead'
  const closest = names
    .filter((name) => name !== 'SETTINGS_FILE')
    .map((name) => ({ name, distance: editDistance(key.toUpperCase(), name) }))
    .sort((a, b) => a.distance - b.distance)[0]
  return closest && closest.distance <= 3
    ? `did you mean ${closest.name}?`
    : 'remove it or check its spelling in docs/configuration.md'
}

/** Levenshtein distance, for spelling suggestions. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1)
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution)
    }
    previous = current
  }
  return previous[b.length] ?? 0
}
