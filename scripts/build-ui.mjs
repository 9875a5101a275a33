// Bundles the web component (ui/) into ES modules under dist/ui/, served at /ui/ by the service:
// compchem-workflows.js (the <compchem-workflows> element, for Invenio's pages) and standalone.js
// (the /ui/records/{id} page), each minified, self-contained (Lit included) and with a source map.
// src/http/routes/ui.ts builds the same in memory when the service runs from source: both take
// their esbuild options from ui/esbuild.json.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

if (!existsSync(join(root, 'ui/src/index.ts'))) {
  console.error('build-ui: ui/src/index.ts is missing')
  process.exit(1)
}

const result = await build({
  ...JSON.parse(readFileSync(join(root, 'ui/esbuild.json'), 'utf8')),
  absWorkingDir: root,
  outdir: 'dist/ui',
  metafile: true,
  logLevel: 'warning',
})

for (const [file, output] of Object.entries(result.metafile.outputs))
  console.log(`build-ui: ${file} ${(output.bytes / 1024).toFixed(1)} KiB`)
