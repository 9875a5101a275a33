// Completion emails (docs/notifications.md "Email"): who gets one and what it says. The outbox row
// names the recipient, never the address: the address is asked of Invenio when the email is sent, so
// the service keeps no personal data, any replica can send, and an Invenio outage is retried like
// any failed try.
import {
  NoAccessError,
  NotFoundError,
  SERVICE_CREDENTIALS,
  recordOwnerOf,
  type InvenioClient,
} from '../invenio/index.js'
import type { CompletionPayload } from './notify.js'
import { AUTOMATIC_CREATOR } from './queue.js'

/** Finds the address for an outbox row's recipient at send time; null when Invenio knows none. */
export interface RecipientDirectory {
  addressOf(recipient: string): Promise<string | null>
}

const USER_PREFIX = 'user:'
const OWNER_PREFIX = 'owner:'
/** created_by values that name no person: automatic starts and Invenio acting on its own behalf. */
const NOT_A_PERSON: ReadonlySet<string> = new Set([AUTOMATIC_CREATOR, 'service'])

/**
 * The recipient of a run's completion email: the user who started it, or for runs nobody started
 * by hand (automatic processing of an upload) the record's owner, found when the email is sent.
 */
export function recipientOf(run: { createdBy: string; recordId: string }): string {
  return NOT_A_PERSON.has(run.createdBy) ? `${OWNER_PREFIX}${run.recordId}` : `${USER_PREFIX}${run.createdBy}`
}

/** Addresses from Invenio (`GET /api/users/{id}` with the service token, owner from the record). */
export class InvenioRecipients implements RecipientDirectory {
  constructor(private readonly invenio: Pick<InvenioClient, 'getUser' | 'resolveRecord'>) {}

  /** Throws when Invenio cannot answer now (the try fails and is retried); null when it knows no address. */
  async addressOf(recipient: string): Promise<string | null> {
    if (recipient.startsWith(USER_PREFIX)) return this.emailOf(recipient.slice(USER_PREFIX.length))
    if (recipient.startsWith(OWNER_PREFIX)) {
      const owner = await this.ownerOf(recipient.slice(OWNER_PREFIX.length))
      return owner === null ? null : this.emailOf(owner)
    }
    return null
  }

  private async emailOf(userId: string): Promise<string | null> {
    return unlessUnknown(async () => (await this.invenio.getUser(userId, SERVICE_CREDENTIALS)).email ?? null)
  }

  private async ownerOf(recordId: string): Promise<string | null> {
    return unlessUnknown(async () => {
      const resolved = await this.invenio.resolveRecord(recordId, SERVICE_CREDENTIALS)
      return recordOwnerOf(resolved.kind === 'draft' ? resolved.draft : resolved.record)
    })
  }
}

/** Invenio's 404 and 403 are definite: there is no address to be had. Anything else is thrown. */
async function unlessUnknown(ask: () => Promise<string | null>): Promise<string | null> {
  try {
    return await ask()
  } catch (error) {
    if (error instanceof NotFoundError || error instanceof NoAccessError) return null
    throw error
  }
}

export interface RenderedEmail {
  subject: string
  text: string
  html: string
}

const OUTCOME_WORDS: Record<string, string> = {
  SUCCESS: 'succeeded',
  PARTIAL: 'partly succeeded',
  FAILURE: 'failed',
}

/** succeeded, partly succeeded, failed, or error (Argo's Error phase: the run could not run). */
export function outcomeWords(outcome: { phase: string; status: string }): string {
  if (outcome.phase === 'Error') return 'error'
  return OUTCOME_WORDS[outcome.status] ?? outcome.status.toLowerCase()
}

/** The run's page in the service's UI, where the deposit form's widget shows it. */
export function runPageUrl(publicUrl: string, recordId: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/ui/records/${encodeURIComponent(recordId)}`
}

/** Subject, plain text and a simple HTML part; everything comes from the stored payload. */
export function renderCompletionEmail(payload: CompletionPayload, publicUrl: string): RenderedEmail {
  const { run, outcome } = payload
  const words = outcomeWords(outcome)
  const page = runPageUrl(publicUrl, run.recordId)
  const lead =
    run.createdBy === AUTOMATIC_CREATOR
      ? `The ${run.type} run ${run.name}, started automatically for your upload to record ${run.recordId}, ${words}.`
      : `Your ${run.type} run ${run.name} on record ${run.recordId} ${words}.`
  const facts: Array<[string, string]> = [
    ['Run', run.attempt > 1 ? `${run.name} (attempt ${run.attempt})` : run.name],
    ['Workflow', run.type],
    ['Record', run.recordId],
    ['Outcome', `${words} (status ${outcome.status}, phase ${outcome.phase})`],
    ['Steps done', outcome.progress],
    ...(outcome.startedAt ? [['Started', outcome.startedAt] as [string, string]] : []),
    ...(outcome.finishedAt ? [['Finished', outcome.finishedAt] as [string, string]] : []),
    ...(outcome.message ? [['Message', outcome.message] as [string, string]] : []),
  ]
  const files = fileResults(run.files, outcome.files)
  const dedupe = `Notification id: ${payload.id} (the same on every copy of this message)`
  const text = [
    lead,
    '',
    ...facts.map(([label, value]) => `${`${label}:`.padEnd(12)}${value}`),
    '',
    'Files:',
    ...(files.length ? files.map(([key, result]) => `  ${key}: ${result}`) : ['  (none)']),
    '',
    `See the run: ${page}`,
    `API:         ${payload.links.run}`,
    '',
    dedupe,
    '',
  ].join('\n')
  const html = [
    '<!doctype html><html><body>',
    `<p>${escapeHtml(lead)}</p>`,
    '<table>',
    ...facts.map(([label, value]) => `<tr><th align="left">${label}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    '<p>Files:</p><ul>',
    ...(files.length
      ? files.map(([key, result]) => `<li><code>${escapeHtml(key)}</code>: ${escapeHtml(result)}</li>`)
      : ['<li>(none)</li>']),
    '</ul>',
    `<p><a href="${escapeHtml(page)}">See the run</a> · <a href="${escapeHtml(payload.links.run)}">API</a></p>`,
    `<p><small>${escapeHtml(dedupe)}</small></p>`,
    '</body></html>',
  ].join('\n')
  // A header line cannot hold a line break; the record id is the one value not shaped by the service.
  const subject = oneLine(`[compchem] ${run.type} run ${run.name} on record ${run.recordId}: ${words}`)
  return { subject, text, html }
}

/** Every input file with what the steps reported for it (or that nothing was reported). */
function fileResults(inputs: readonly string[], reported: Record<string, string>): Array<[string, string]> {
  const keys = [...inputs, ...Object.keys(reported).filter((key) => !inputs.includes(key))]
  return keys.map((key) => {
    const status = reported[key]
    return [
      key,
      status ? `${OUTCOME_WORDS[status] ?? status.toLowerCase()} (${status})` : 'no result reported',
    ]
  })
}

function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ')
}

function escapeHtml(value: string): string {
  return value.replace(
    /[&<>"']/g,
    (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!,
  )
}
