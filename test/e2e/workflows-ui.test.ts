// The user's path through the workflows widget in a real browser, against the demo: alice starts a
// run from the deposit form and watches it succeed, reads its logs, starts a long one and stops it,
// resubmits it; the full page works from Invenio's link; bob sees that he has no access.
import type { Locator, Page } from 'playwright-core'
import { debugShot, HAVE_BROWSER, openRecordAs, screenshot, startE2E, type E2E } from './browser.js'

const describeWithBrowser = HAVE_BROWSER ? describe : describe.skip
const SETTLE = { timeout: 60_000 }

describeWithBrowser('workflows widget in Chromium', () => {
  let e2e: E2E
  const record = () => e2e.demo.records[0]!

  beforeAll(async () => {
    e2e = await startE2E()
  }, 120_000)

  afterAll(async () => {
    await e2e?.close()
  })

  /** Chooses the type and files, reviews (the dry run), checks what the review says, starts. */
  async function startRun(page: Page, type: string, files: string[], review?: string): Promise<void> {
    await page.getByRole('button', { name: 'Start a workflow' }).click()
    const dialog = page.getByRole('dialog', { name: 'Start a workflow' })
    await dialog.waitFor()
    await dialog.getByLabel('Workflow type').selectOption(type)
    for (const file of files) {
      const box = dialog.getByLabel(file, { exact: true })
      if (!(await box.isChecked())) await box.check()
    }
    await dialog.getByRole('button', { name: 'Review' }).click()
    await dialog.getByRole('button', { name: 'Start', exact: true }).and(page.locator(':enabled')).waitFor()
    if (review) await dialog.getByRole('alert').filter({ hasText: review }).waitFor()
    await screenshot(page, `start-dialog-${type}`)
    await dialog.getByRole('button', { name: 'Start', exact: true }).click()
    await dialog.waitFor({ state: 'hidden', ...SETTLE })
  }

  /** The newest run of `type` in the runs list, once it appears. */
  async function runItem(page: Page, type: string): Promise<{ item: Locator; name: string }> {
    const runs = page.getByRole('list', { name: 'Runs' })
    const item = runs
      .getByRole('listitem')
      .filter({ hasText: `${type}-` })
      .first()
    await item.waitFor(SETTLE)
    const name = (await item.getByRole('button').first().textContent())!.trim()
    return { item: runs.getByRole('listitem').filter({ hasText: name }), name }
  }

  test('alice starts a run from the deposit form, watches it succeed and reads its logs', async () => {
    const { context, page } = await openRecordAs(e2e, 'alice', record().id)
    try {
      const files = page.getByRole('table', { name: 'Files', exact: true })
      await files.getByText('water-dimer.log').waitFor(SETTLE)
      await screenshot(page, 'deposit-form-widget')

      await startRun(page, 'gaussian-log', ['water-dimer.log'])
      const { item, name } = await runItem(page, 'gaussian-log')
      expect(name).toMatch(/^gaussian-log-.+-\d+$/)
      await item.getByText('Succeeded', { exact: true }).waitFor(SETTLE)
      await page
        .getByRole('status')
        .filter({ hasText: `${name} succeeded` })
        .waitFor(SETTLE)

      await item.getByRole('button', { name }).click()
      const view = page.getByRole('region', { name: `Run ${name}` })
      await view.waitFor()
      await view.getByRole('tree', { name: 'Steps' }).getByRole('treeitem').first().waitFor()
      await view.getByRole('log', { name: 'Logs' }).getByText('reading /input').first().waitFor(SETTLE)
      await screenshot(page, 'run-view')
    } finally {
      await debugShot(page, expect.getState().currentTestName)
      await context.close()
    }
  })

  test('alice follows a long run and stops it; resubmits, suspends, resumes and terminates the new one', async () => {
    const { context, page } = await openRecordAs(e2e, 'alice', record().id)
    try {
      await page.getByRole('table', { name: 'Files', exact: true }).getByText('md/topol.tpr').waitFor(SETTLE)
      await startRun(page, 'gromacs-tpr', ['md/topol.tpr'])
      const { item, name } = await runItem(page, 'gromacs-tpr')
      await item.getByText('Running', { exact: true }).waitFor(SETTLE)

      await item.getByRole('button', { name }).click()
      const view = page.getByRole('region', { name: `Run ${name}` })
      await view.getByLabel('Follow').check()
      // Lines of the MD step arrive while it runs.
      await view.getByRole('log', { name: 'Logs' }).getByText('mdrun: step 50 of 1000').waitFor(SETTLE)
      await screenshot(page, 'run-logs-follow')

      await view.getByRole('button', { name: 'Stop' }).click()
      const confirm = page.getByRole('alertdialog')
      await confirm.waitFor()
      await confirm.getByRole('button', { name: 'Confirm' }).click()
      await page.getByRole('status').filter({ hasText: name }).first().waitFor(SETTLE)

      await view.getByRole('button', { name: 'Back to runs' }).click()
      await item.getByText('Failed', { exact: true }).waitFor(SETTLE)
      await item.getByRole('button', { name }).click()
      await view.getByRole('button', { name: 'Resubmit' }).click()
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click()

      // The resubmitted run is a new run of the same type, with the next number; the view follows it.
      const next = name.replace(/\d+$/, String(Number(name.split('-').pop()) + 1))
      const nextView = page.getByRole('region', { name: `Run ${next}` })
      await nextView.getByText('Running', { exact: true }).first().waitFor(SETTLE)

      // Suspend and resume it (no confirmation: both can be undone), then terminate it (confirmed).
      await nextView.getByRole('button', { name: 'Suspend' }).click()
      await nextView.getByText('Suspended', { exact: true }).first().waitFor(SETTLE)
      await nextView.getByRole('button', { name: 'Resume' }).click()
      await nextView.getByText('Running', { exact: true }).first().waitFor(SETTLE)
      await nextView.getByRole('button', { name: 'Terminate' }).click()
      await page.getByRole('alertdialog').getByRole('button', { name: 'Confirm' }).click()
      await nextView.getByText('Failed', { exact: true }).first().waitFor(SETTLE)

      await nextView.getByRole('button', { name: 'Back to runs' }).click()
      const runs = page.getByRole('list', { name: 'Runs' })
      await runs
        .getByRole('listitem')
        .filter({ hasText: next })
        .getByText('Failed', { exact: true })
        .waitFor(SETTLE)
    } finally {
      await debugShot(page, expect.getState().currentTestName)
      await context.close()
    }
  })

  test('alice starts one run on three structures after the dry run warns they will be locked together', async () => {
    const benzene = e2e.demo.records.find((r) => r.title.startsWith('Benzene'))!
    const { context, page } = await openRecordAs(e2e, 'alice', benzene.id)
    try {
      const keys = benzene.files.map((file) => file.key)
      expect(keys).toHaveLength(3)
      await page
        .getByRole('table', { name: 'Files', exact: true })
        .getByText(keys[0]!)
        .first()
        .waitFor(SETTLE)
      await startRun(page, 'xyz-structure', keys, 'These 3 files will be locked together until the run ends')
      const { item, name } = await runItem(page, 'xyz-structure')
      await item.getByText('Succeeded', { exact: true }).waitFor(SETTLE)
      // One run holds all three files, and each has its own result.
      await item.getByRole('button', { name }).click()
      const view = page.getByRole('region', { name: `Run ${name}` })
      for (const key of keys) await view.getByText(key).first().waitFor()
    } finally {
      await debugShot(page, expect.getState().currentTestName)
      await context.close()
    }
  })

  test('the full page opens from Invenio with a session handed over in the fragment', async () => {
    const { context, page } = await openRecordAs(e2e, 'alice', record().id)
    try {
      await page.getByRole('link', { name: 'Open workflows in a full page' }).click()
      await page.waitForURL(/\/ui\/records\//)
      expect(new URL(page.url()).hash).toBe('')
      await page
        .getByRole('table', { name: 'Files', exact: true })
        .getByText('water-dimer.log')
        .waitFor(SETTLE)
      await page.getByRole('list', { name: 'Runs' }).getByRole('listitem').first().waitFor(SETTLE)
      await screenshot(page, 'standalone-page')
      // A reload keeps the session for this tab.
      await page.reload()
      await page
        .getByRole('table', { name: 'Files', exact: true })
        .getByText('water-dimer.log')
        .waitFor(SETTLE)
    } finally {
      await debugShot(page, expect.getState().currentTestName)
      await context.close()
    }
  })

  test('the widget is readable on a 360 px wide phone', async () => {
    const { context, page } = await openRecordAs(e2e, 'alice', record().id, { width: 360, height: 780 })
    try {
      await page
        .getByRole('table', { name: 'Files', exact: true })
        .getByText('water-dimer.log')
        .waitFor(SETTLE)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
      expect(overflow).toBeLessThanOrEqual(0)
      await screenshot(page, 'narrow-360')
    } finally {
      await debugShot(page, expect.getState().currentTestName)
      await context.close()
    }
  })

  test('bob, who may not edit the draft, sees the no-access state', async () => {
    const { context, page } = await openRecordAs(e2e, 'bob', record().id)
    try {
      await page
        .getByRole('alert')
        .filter({ hasText: "You don't have access to this record's workflows" })
        .waitFor(SETTLE)
      await screenshot(page, 'no-access')
      await page.getByRole('link', { name: 'Open workflows in a full page' }).click()
      await page.waitForURL(/\/ui\/records\//)
      await page
        .getByRole('alert')
        .filter({ hasText: "You don't have access to this record's workflows" })
        .waitFor(SETTLE)
    } finally {
      await debugShot(page, expect.getState().currentTestName)
      await context.close()
    }
  })
})
