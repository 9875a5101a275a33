// The web component's files under /ui/ (docs/ui-embedding.md): the <compchem-workflows> module for
// Invenio's pages, the standalone page /ui/records/{recordId} and its script. Public, like /docs:
// no credential is needed to fetch code; the session the widget calls the API with is.
//
// A built service (dist/) serves dist/ui, written by `npm run ui:build`. Run from source (tsx,
// ts-jest) it bundles ui/src in memory once, with the same options as scripts/build-ui.mjs, so a
// stale dist/ui never hides a change.
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BuildOptions } from 'esbuild'
import type { Request, Response, Router } from 'express'
import { notFound } from '../problem.js'

const ASSET_NAMES = [
  'compchem-workflows.js',
  'compchem-workflows.js.map',
  'standalone.js',
  'standalone.js.map',
] as const
type AssetName = (typeof ASSET_NAMES)[number]

interface Asset {
  body: Buffer
  etag: string
}
type Assets = Map<string, Asset>

const runningFromSource = import.meta.url.endsWith('.ts')

// src/http/routes or dist/http/routes: the repository (or image) root is three levels up, as for the
// migrations (src/db/migrate.ts) and the shipped templates.
const REPOSITORY_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

function asset(body: Buffer): Asset {
  return { body, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"` }
}

async function readBuilt(dir: string): Promise<Assets> {
  const assets: Assets = new Map()
  for (const name of ASSET_NAMES) {
    const path = join(dir, name)
    if (existsSync(path)) assets.set(name, asset(await readFile(path)))
  }
  return assets
}

async function buildInMemory(root: string): Promise<Assets> {
  // esbuild is a development dependency: loaded only when running from source.
  const { build } = await import('esbuild')
  // The same options as `npm run ui:build` (scripts/build-ui.mjs).
  const options = JSON.parse(await readFile(join(root, 'ui/esbuild.json'), 'utf8')) as BuildOptions
  const result = await build({
    ...options,
    absWorkingDir: root,
    outdir: join(root, 'dist/ui'),
    write: false,
    logLevel: 'silent',
  })
  const assets: Assets = new Map()
  for (const file of result.outputFiles)
    assets.set(file.path.split(/[\\/]/).pop()!, asset(Buffer.from(file.contents)))
  return assets
}

/** Where the assets come from; loaded once, on first request. */
export function uiAssetLoader(root = REPOSITORY_ROOT): () => Promise<Assets> {
  let loading: Promise<Assets> | undefined
  const load = async () => {
    const built = join(root, 'dist/ui')
    if (!runningFromSource && existsSync(join(built, 'compchem-workflows.js'))) return readBuilt(built)
    if (existsSync(join(root, 'ui/src/index.ts'))) return buildInMemory(root)
    return readBuilt(built)
  }
  return () => {
    // A failed build is not cached: the next request tries again.
    loading ??= load().catch((error: unknown) => {
      loading = undefined
      throw error
    })
    return loading
  }
}

const RECORD_ID = /^[A-Za-z0-9._~-]{1,200}$/

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)

/** The standalone page: no inline script (CSP); standalone.js reads the session from the fragment. */
export function standalonePage(recordId: string): string {
  const id = escapeHtml(recordId)
  return `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <meta name="referrer" content="no-referrer">
    <title>Workflows of record ${id}</title>
    <link rel="stylesheet" href="../standalone.css">
    <script type="module" src="../standalone.js"></script>
  </head>
  <body>
    <main>
      <p class="record">Record <code>${id}</code></p>
      <compchem-workflows record-id="${id}"></compchem-workflows>
    </main>
  </body>
</html>
`
}

const STANDALONE_CSS = `:root { color-scheme: light dark; font-family: system-ui, sans-serif; }
body { margin: 0; background: Canvas; color: CanvasText; }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
.record { margin: 0 0 0.5rem; color: GrayText; }
@media (max-width: 480px) { main { padding: 0.5rem; } }
`

function sendAsset(req: Request, res: Response, asset: Asset, contentType: string): void {
  // Loaded as a module script by Invenio's pages, another origin: CORS and CORP must allow it.
  res.set({
    'Content-Type': contentType,
    'Access-Control-Allow-Origin': '*',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'Cache-Control': 'no-cache',
    ETag: asset.etag,
  })
  if (req.get('If-None-Match') === asset.etag) {
    res.status(304).end()
    return
  }
  res.send(asset.body)
}

let sharedLoader: (() => Promise<Assets>) | undefined

/** Route module (src/service.ts): every service of the process shares one build. */
export function addUiRoutes(router: Router): void {
  sharedLoader ??= uiAssetLoader()
  mountUiRoutes(router, sharedLoader)
}

export function mountUiRoutes(router: Router, load: () => Promise<Assets>): void {
  const cssAsset = asset(Buffer.from(STANDALONE_CSS))
  for (const name of ASSET_NAMES) {
    router.get(`/ui/${name satisfies AssetName}`, async (req, res) => {
      const found = (await load()).get(name)
      if (!found) throw notFound(`The UI has not been built (npm run ui:build): no ${name}.`)
      const type = name.endsWith('.map')
        ? 'application/json; charset=utf-8'
        : 'text/javascript; charset=utf-8'
      sendAsset(req, res, found, type)
    })
  }
  router.get('/ui/standalone.css', (req, res) => sendAsset(req, res, cssAsset, 'text/css; charset=utf-8'))
  router.get('/ui/records/:recordId', (req, res) => {
    const recordId = req.params.recordId
    if (typeof recordId !== 'string' || !RECORD_ID.test(recordId)) throw notFound('No such record page.')
    res.set('Cache-Control', 'no-store').type('html').send(standalonePage(recordId))
  })
}
