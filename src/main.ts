// `npm start`: the production entry. A bad setting stops the process with one line saying why.
import { loadSettings, SettingsError } from './config/index.js'
import { createLogger } from './log.js'
import { startService } from './service.js'

let settings
try {
  settings = loadSettings()
} catch (error) {
  if (error instanceof SettingsError) {
    console.error(`compchem-fileprocessor: ${error.message}`)
    process.exit(2)
  }
  throw error
}

const logger = createLogger({ level: settings.logLevel, name: 'compchem-fileprocessor' })
const service = await startService({ settings, logger })
logger.info({ url: service.url }, 'compchem-fileprocessor is serving')

let stopping = false
const stop = (signal: string) => {
  if (stopping) return
  stopping = true
  logger.info({ signal, graceSeconds: settings.shutdownGraceSeconds }, 'shutting down')
  // The server cuts what is left at the grace period; this is the backstop if closing still hangs.
  setTimeout(
    () => {
      logger.error('shutdown exceeded the grace period; exiting')
      process.exit(1)
    },
    (settings.shutdownGraceSeconds + 5) * 1000,
  ).unref()
  service.close().then(
    () => process.exit(0),
    (error: unknown) => {
      logger.error({ err: error }, 'shutdown failed')
      process.exit(1)
    },
  )
}
process.on('SIGTERM', () => stop('SIGTERM'))
process.on('SIGINT', () => stop('SIGINT'))
