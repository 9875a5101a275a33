// Bundles the web component (ui/) into ES modules under dist/ui/, served at /ui/ by the service:
// compchem-workflows.js (the <compchem-workflows> element, for Invenio's pages) and standalone.js
// (the /ui/records/{id} page), each minified, self-contained (Lit included) and with a source map.
// src/http/routes/ui.ts builds the same in memory when the service runs from source; keep the
// options of both in step.
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')

if (!existsSync(join(root, 'ui/src/index.ts'))) {
  console.error('build-ui: ui/src/index.ts is missing')
  process.exit(1)
}

const result = await build({
  absWorkingDir: root,
  entryPoints: {
    'compchem-workflows': 'ui/src/index.ts',
    standalone: 'ui/src/standalone.ts',
  },
  outdir: 'dist/ui',
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  legalComments: 'eof',
  tsconfig: 'tsconfig.ui.json',
  metafile: true,
  logLevel: 'warning',
})

for (const [file, output] of Object.entries(result.metafile.outputs))
  console.log(`build-ui: ${file} ${(output.bytes / 1024).toFixed(1)} KiB`)
