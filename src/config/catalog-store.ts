// Keeps the current catalog and reloads it when its file changes. An invalid edit is logged and
// ignored: the last good catalog stays in service.
import { EventEmitter } from 'node:events'
import { watch, type FSWatcher } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { basename, dirname, resolve } from 'node:path'
import { createHash } from 'node:crypto'
import { pino, type Logger } from 'pino'
import { formatProblem, parseCatalog, type Catalog, type CatalogError } from './catalog.js'

export interface CatalogStoreOptions {
  path: string
  logger?: Logger
  /** Watch the file's directory and poll; false loads once (reload() still works). */
  watch?: boolean
  pollIntervalMs?: number
  debounceMs?: number
}

export interface CatalogStatus {
  /** A valid catalog is in service (possibly an older one, see lastError). */
  ok: boolean
  source: string
  loadedAt?: Date
  digest?: string
  /** Why the latest attempt to load failed, while an older catalog stays in service. */
  lastError?: string
}

export class CatalogLoadError extends Error {
  constructor(
    readonly source: string,
    readonly errors: CatalogError[],
  ) {
    super(`catalog ${source} is invalid:\n${errors.map(formatProblem).join('\n')}`)
    this.name = 'CatalogLoadError'
  }
}

/**
 * Events: 'reload' (catalog: Catalog) after a new valid catalog replaced the old one;
 * 'invalid' (errors: CatalogError[]) when a changed file was rejected.
 */
export class CatalogStore extends EventEmitter {
  private catalog?: Catalog
  private loadedAt?: Date
  private lastError?: string
  private lastSeenDigest?: string
  private watcher?: FSWatcher
  private pollTimer?: NodeJS.Timeout
  private debounceTimer?: NodeJS.Timeout
  private reloading?: Promise<boolean>
  private reloadAgain = false
  private readonly path: string
  private readonly logger: Logger

  constructor(private readonly options: CatalogStoreOptions) {
    super()
    this.path = resolve(options.path)
    this.logger = (options.logger ?? pino({ level: 'silent' })).child({ component: 'catalog' })
  }

  /** A store serving a fixed catalog, for tests and embedders that build the catalog in code. */
  static fixed(catalog: Catalog): CatalogStore {
    const store = new CatalogStore({ path: catalog.source, watch: false })
    store.catalog = catalog
    store.loadedAt = new Date()
    return store
  }

  /** Loads the catalog (rejecting with CatalogLoadError when invalid), then starts watching. */
  async start(): Promise<void> {
    const result = await this.read()
    if (!result.ok) throw new CatalogLoadError(this.options.path, result.errors)
    this.install(result.catalog, result.digest)
    for (const warning of result.warnings)
      this.logger.warn({ warning: formatProblem(warning) }, 'catalog warning')
    if (this.options.watch !== false) this.watchForChanges()
  }

  stop(): void {
    this.watcher?.close()
    this.watcher = undefined
    clearInterval(this.pollTimer)
    clearTimeout(this.debounceTimer)
    this.pollTimer = undefined
    this.debounceTimer = undefined
  }

  current(): Catalog {
    if (!this.catalog) throw new Error('catalog not loaded yet: call start() first')
    return this.catalog
  }

  status(): CatalogStatus {
    const status: CatalogStatus = { ok: this.catalog !== undefined, source: this.options.path }
    if (this.loadedAt) status.loadedAt = this.loadedAt
    if (this.catalog) status.digest = this.catalog.digest
    if (this.lastError) status.lastError = this.lastError
    return status
  }

  /** Reads the file again; true when a new catalog was installed. Calls are serialized. */
  async reload(): Promise<boolean> {
    if (this.reloading) {
      this.reloadAgain = true
      return this.reloading
    }
    this.reloading = this.reloadOnce().finally(() => {
      this.reloading = undefined
    })
    const installed = await this.reloading
    if (this.reloadAgain) {
      this.reloadAgain = false
      return (await this.reload()) || installed
    }
    return installed
  }

  private async reloadOnce(): Promise<boolean> {
    const result = await this.read()
    // The same bytes as last time (poll, or an event that changed nothing): nothing to do or log.
    if (result.digest !== undefined && result.digest === this.lastSeenDigest) return false
    this.lastSeenDigest = result.digest
    if (!result.ok) {
      this.lastError = result.errors.map(formatProblem).join('\n')
      this.logger.error(
        { errors: result.errors.map(formatProblem) },
        'catalog change rejected; keeping the last good catalog',
      )
      this.emit('invalid', result.errors)
      return false
    }
    if (result.catalog.digest === this.catalog?.digest) {
      this.lastError = undefined
      return false
    }
    this.install(result.catalog, result.digest)
    this.logger.info(
      { types: result.catalog.types.length, digest: result.catalog.digest },
      'catalog reloaded',
    )
    this.emit('reload', result.catalog)
    return true
  }

  private install(catalog: Catalog, digest: string | undefined): void {
    this.catalog = catalog
    this.loadedAt = new Date()
    this.lastError = undefined
    this.lastSeenDigest = digest
  }

  private async read(): Promise<
    | { ok: true; catalog: Catalog; warnings: CatalogError[]; digest?: string }
    | { ok: false; errors: CatalogError[]; digest?: string }
  > {
    let text: string
    try {
      text = await readFile(this.path, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
      const message = `cannot read the file (${code})`
      const errors = [{ source: this.options.path, line: 1, column: 1, path: '(file)', message }]
      return { ok: false, errors, digest: `unreadable:${code}` }
    }
    const digest = createHash('sha256').update(text).digest('hex')
    return { ...parseCatalog(text, this.options.path), digest }
  }

  /**
   * Kubernetes mounts a ConfigMap as symlinks into a `..data` directory that is swapped
   * atomically, so events on the file itself are lost: watch the directory, debounce, and poll
   * in case the platform drops events altogether.
   */
  private watchForChanges(): void {
    const fileName = basename(this.path)
    try {
      this.watcher = watch(dirname(this.path), (_event, changed) => {
        if (changed === null || changed === fileName || changed.startsWith('..')) this.scheduleReload()
      })
      this.watcher.on('error', (error) => {
        this.logger.warn({ err: error }, 'catalog directory watch failed; relying on polling')
        this.watcher?.close()
        this.watcher = undefined
      })
      this.watcher.unref()
    } catch (error) {
      this.logger.warn({ err: error }, 'cannot watch the catalog directory; relying on polling')
    }
    this.pollTimer = setInterval(() => void this.reloadQuietly(), this.options.pollIntervalMs ?? 30_000)
    this.pollTimer.unref()
  }

  private scheduleReload(): void {
    clearTimeout(this.debounceTimer)
    this.debounceTimer = setTimeout(() => void this.reloadQuietly(), this.options.debounceMs ?? 200)
    this.debounceTimer.unref()
  }

  private async reloadQuietly(): Promise<void> {
    try {
      await this.reload()
    } catch (error) {
      this.logger.error({ err: error }, 'catalog reload failed')
    }
  }
}
