#!/usr/bin/env node
// Runs the compiled CLI when built, otherwise the TypeScript sources through tsx (a fresh `npm ci`).
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const built = `${root}dist/cli/index.js`
if (existsSync(built)) {
  await import(pathToFileURL(built).href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import(pathToFileURL(`${root}src/cli/index.ts`).href)
}
