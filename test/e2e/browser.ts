// A real Chromium (Debian's, found by CHROMIUM_PATH or /usr/bin/chromium) driven by playwright-core
// against the demo system. The suite says plainly when no browser is installed and skips.
import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { resolve } from 'node:path'
import pino from 'pino'
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core'
import { startDemo, type DemoSystem } from '../../src/sandbox/demo-system.js'

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
export const HAVE_BROWSER = existsSync(CHROMIUM)
if (!HAVE_BROWSER) console.warn(`e2e: skipped, no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`)

/** Screenshots are written only when asked, so a test run does not dirty the docs. */
const SCREENSHOT_DIR = process.env.E2E_SCREENSHOTS ? resolve(process.env.E2E_SCREENSHOTS) : undefined

export interface E2E {
  demo: DemoSystem
  browser: Browser
  close(): Promise<void>
}

export async function startE2E(): Promise<E2E> {
  // Steps of one sandbox second: a short run ends in seconds, the GROMACS MD step runs 100 s.
  const demo = await startDemo({
    logger: pino({ level: process.env.E2E_LOG_LEVEL ?? 'silent' }),
    port: 0,
    stepSeconds: 1,
    env: { DATABASE_URL: undefined, LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'silent' },
  })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  })
  return {
    demo,
    browser,
    close: async () => {
      await browser.close()
      await demo.close()
    },
  }
}

/** A fresh browser profile signed in to the fake Invenio as `user`, on the record's page. */
export async function openRecordAs(
  e2e: E2E,
  user: string,
  recordId: string,
  viewport = { width: 1200, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await e2e.browser.newContext({ viewport })
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`))
  const next = encodeURIComponent(`/records/${recordId}`)
  await page.goto(`${e2e.demo.invenioUrl}/login?user=${user}&next=${next}`)
  return { context, page }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  if (!SCREENSHOT_DIR) return
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  await page.screenshot({ path: resolve(SCREENSHOT_DIR, `${name}.png`), fullPage: true })
}

/** With E2E_DEBUG=<dir>, every test leaves its last page there: the first thing to look at when one fails. */
export async function debugShot(page: Page, label: string | undefined): Promise<void> {
  const dir = process.env.E2E_DEBUG
  if (!dir || page.isClosed()) return
  await mkdir(dir, { recursive: true })
  const name = (label ?? 'page').replace(/[^a-z0-9]+/gi, '-').slice(0, 80)
  await page.screenshot({ path: resolve(dir, `${name}.png`), fullPage: true }).catch(() => undefined)
}
