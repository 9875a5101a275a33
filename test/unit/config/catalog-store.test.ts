import { once } from 'node:events'
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pino, type Logger } from 'pino'
import { CatalogLoadError, CatalogStore, parseCatalog, type Catalog } from '../../../src/config/index.js'

const catalogText = (typeName: string) => `workflows:
  - name: ${typeName}
    description: d
    match: { mimetypes: ['*'], extensions: [.log] }
    steps: [{ name: s, templateRef: { name: wt, template: main } }]
`
const brokenText = `workflows:
  - name: broken
    description: d
    match: { mimetypes: ['*'], extensions: [.log] }
    steps: [{ name: s }]
`

let dir: string
const stores: CatalogStore[] = []
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'catalog-store-'))
})
afterEach(() => {
  for (const store of stores.splice(0)) store.stop()
  rmSync(dir, { recursive: true, force: true })
})

function capturingLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = []
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) })
  return { logger, lines }
}

function track(store: CatalogStore): CatalogStore {
  stores.push(store)
  return store
}

const typeNames = (catalog: Catalog) => catalog.types.map((type) => type.name)

test('start() loads the catalog and status() reports it', async () => {
  const path = join(dir, 'catalog.yaml')
  writeFileSync(path, catalogText('first'))
  const store = track(new CatalogStore({ path, watch: false }))
  expect(store.status().ok).toBe(false)
  expect(() => store.current()).toThrow('not loaded')
  await store.start()
  expect(typeNames(store.current())).toEqual(['first'])
  const status = store.status()
  expect(status).toMatchObject({ ok: true, source: path, digest: store.current().digest })
  expect(status.loadedAt).toBeInstanceOf(Date)
  expect(status.lastError).toBeUndefined()
})

test('an invalid file at start-up is fatal and lists the errors with lines', async () => {
  const path = join(dir, 'catalog.yaml')
  writeFileSync(path, brokenText)
  const store = track(new CatalogStore({ path, watch: false }))
  const failure = store.start()
  await expect(failure).rejects.toBeInstanceOf(CatalogLoadError)
  await expect(failure).rejects.toThrow(
    `${path}:5:13: workflows[0].steps[0]: must have required property 'templateRef'`,
  )
})

test('a missing file at start-up is fatal', async () => {
  const store = track(new CatalogStore({ path: join(dir, 'missing.yaml'), watch: false }))
  await expect(store.start()).rejects.toThrow('cannot read the file (ENOENT)')
})

test('an invalid edit keeps the last good catalog, is logged once, and a fix is installed', async () => {
  const path = join(dir, 'catalog.yaml')
  writeFileSync(path, catalogText('first'))
  const { logger, lines } = capturingLogger()
  const store = track(new CatalogStore({ path, watch: false, logger }))
  await store.start()
  const invalidEvents: unknown[] = []
  store.on('invalid', (errors) => invalidEvents.push(errors))

  writeFileSync(path, brokenText)
  expect(await store.reload()).toBe(false)
  expect(await store.reload()).toBe(false)
  expect(typeNames(store.current())).toEqual(['first'])
  expect(store.status()).toMatchObject({ ok: true })
  expect(store.status().lastError).toContain(
    ":5:13: workflows[0].steps[0]: must have required property 'templateRef'",
  )
  const errorLogs = lines.filter((line) => line.level === 50)
  expect(errorLogs).toHaveLength(1)
  expect(errorLogs[0]?.errors).toEqual([expect.stringContaining("must have required property 'templateRef'")])
  expect(invalidEvents).toHaveLength(1)

  const reloaded = once(store, 'reload')
  writeFileSync(path, catalogText('second'))
  expect(await store.reload()).toBe(true)
  const [catalog] = (await reloaded) as [Catalog]
  expect(typeNames(catalog)).toEqual(['second'])
  expect(typeNames(store.current())).toEqual(['second'])
  expect(store.status().lastError).toBeUndefined()
})

test('a deleted file keeps the last good catalog', async () => {
  const path = join(dir, 'catalog.yaml')
  writeFileSync(path, catalogText('first'))
  const store = track(new CatalogStore({ path, watch: false }))
  await store.start()
  rmSync(path)
  expect(await store.reload()).toBe(false)
  expect(typeNames(store.current())).toEqual(['first'])
  expect(store.status().lastError).toContain('ENOENT')
})

test('an unchanged file is not reinstalled', async () => {
  const path = join(dir, 'catalog.yaml')
  writeFileSync(path, catalogText('first'))
  const store = track(new CatalogStore({ path, watch: false }))
  await store.start()
  const before = store.current()
  writeFileSync(path, `# a comment only\n${catalogText('first')}`)
  expect(await store.reload()).toBe(false)
  expect(store.current()).toBe(before)
})

test('concurrent reloads are serialized and end on the latest file', async () => {
  const path = join(dir, 'catalog.yaml')
  writeFileSync(path, catalogText('first'))
  const store = track(new CatalogStore({ path, watch: false }))
  await store.start()
  writeFileSync(path, catalogText('second'))
  const results = await Promise.all([store.reload(), store.reload(), store.reload()])
  expect(results).toContain(true)
  expect(typeNames(store.current())).toEqual(['second'])
})

test('watching: an edit of the file is picked up', async () => {
  const path = join(dir, 'catalog.yaml')
  writeFileSync(path, catalogText('first'))
  const store = track(new CatalogStore({ path, debounceMs: 20, pollIntervalMs: 60_000 }))
  await store.start()
  const reloaded = once(store, 'reload')
  writeFileSync(path, catalogText('edited'))
  await reloaded
  expect(typeNames(store.current())).toEqual(['edited'])
})

test('watching: a ConfigMap-style ..data symlink swap is picked up', async () => {
  // The kubelet's layout: catalog.yaml -> ..data/catalog.yaml, ..data -> ..<timestamp>/
  mkdirSync(join(dir, '..v1'))
  writeFileSync(join(dir, '..v1', 'catalog.yaml'), catalogText('first'))
  symlinkSync('..v1', join(dir, '..data'))
  symlinkSync(join('..data', 'catalog.yaml'), join(dir, 'catalog.yaml'))
  const store = track(
    new CatalogStore({ path: join(dir, 'catalog.yaml'), debounceMs: 20, pollIntervalMs: 60_000 }),
  )
  await store.start()
  expect(typeNames(store.current())).toEqual(['first'])

  const reloaded = once(store, 'reload')
  mkdirSync(join(dir, '..v2'))
  writeFileSync(join(dir, '..v2', 'catalog.yaml'), catalogText('swapped'))
  symlinkSync('..v2', join(dir, '..data_tmp'))
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'))
  await reloaded
  expect(typeNames(store.current())).toEqual(['swapped'])
})

test('polling finds a change even when no file-system event arrives', async () => {
  const path = join(dir, 'catalog.yaml')
  writeFileSync(path, catalogText('first'))
  // A debounce longer than the test: only the poll can install the change.
  const store = track(new CatalogStore({ path, debounceMs: 3_600_000, pollIntervalMs: 25 }))
  await store.start()
  const reloaded = once(store, 'reload')
  writeFileSync(path, catalogText('polled'))
  await reloaded
  expect(typeNames(store.current())).toEqual(['polled'])
})

test('CatalogStore.fixed serves a catalog built in code', () => {
  const result = parseCatalog(catalogText('fixed'), 'inline')
  if (!result.ok) throw new Error('invalid')
  const store = CatalogStore.fixed(result.catalog)
  expect(store.current()).toBe(result.catalog)
  expect(store.status()).toMatchObject({ ok: true, source: 'inline' })
})
