// Completion emails: what they say (subject, text, HTML, links) and who gets them.
import {
  NoAccessError,
  NotFoundError,
  UnavailableError,
  type InvenioRecord,
} from '../../../src/invenio/index.js'
import { parseUser, recordOwnerOf } from '../../../src/invenio/parse.js'
import {
  InvenioRecipients,
  outcomeWords,
  recipientOf,
  renderCompletionEmail,
  runPageUrl,
} from '../../../src/processing/notify-email.js'
import type { CompletionPayload } from '../../../src/processing/notify.js'
import { AUTOMATIC_CREATOR } from '../../../src/processing/queue.js'

function payload(overrides: {
  outcome?: Partial<CompletionPayload['outcome']>
  run?: Partial<CompletionPayload['run']>
}): CompletionPayload {
  return {
    id: '6f1c2a4e-93b0-8d51-a3c2-0e9d1f7b4c21',
    type: 'run.completed',
    run: {
      name: 'gaussian-log-abc12-3def4-2',
      recordId: 'abc12-3def4',
      type: 'gaussian-log',
      seq: 2,
      attempt: 1,
      files: ['water-dimer.log', 'md/topol.tpr'],
      createdBy: '17',
      ...overrides.run,
    },
    outcome: {
      phase: 'Succeeded',
      status: 'PARTIAL',
      message: null,
      startedAt: '2025-03-01T10:00:02.000Z',
      finishedAt: '2025-03-01T10:00:31.000Z',
      progress: '3/3',
      files: { 'water-dimer.log': 'PARTIAL' },
      ...overrides.outcome,
    },
    links: { run: 'https://files.example.org/api/v1/workflows/gaussian-log-abc12-3def4-2' },
  }
}

describe('renderCompletionEmail', () => {
  test('subject names the type, run, record and outcome', () => {
    const { subject } = renderCompletionEmail(payload({}), 'https://files.example.org')
    expect(subject).toBe(
      '[compchem] gaussian-log run gaussian-log-abc12-3def4-2 on record abc12-3def4: partly succeeded',
    )
  })

  test.each([
    ['Succeeded', 'SUCCESS', 'succeeded'],
    ['Succeeded', 'PARTIAL', 'partly succeeded'],
    ['Failed', 'FAILURE', 'failed'],
    ['Error', 'FAILURE', 'error'],
  ])('phase %s with status %s reads "%s"', (phase, status, words) => {
    expect(outcomeWords({ phase, status })).toBe(words)
    expect(renderCompletionEmail(payload({ outcome: { phase, status } }), 'https://x.org').subject).toMatch(
      new RegExp(`: ${words}$`),
    )
  })

  test('the text lists the facts, every file with its result, the UI page, the API link and the id', () => {
    const { text } = renderCompletionEmail(
      payload({ outcome: { message: 'one conformer did not converge' } }),
      'https://files.example.org/',
    )
    expect(text).toContain(
      'Your gaussian-log run gaussian-log-abc12-3def4-2 on record abc12-3def4 partly succeeded.',
    )
    expect(text).toMatch(/^Workflow: +gaussian-log$/m)
    expect(text).toMatch(/^Record: +abc12-3def4$/m)
    expect(text).toMatch(/^Outcome: +partly succeeded \(status PARTIAL, phase Succeeded\)$/m)
    expect(text).toMatch(/^Message: +one conformer did not converge$/m)
    expect(text).toContain('  water-dimer.log: partly succeeded (PARTIAL)')
    expect(text).toContain('  md/topol.tpr: no result reported')
    expect(text).toContain('See the run: https://files.example.org/ui/records/abc12-3def4')
    expect(text).toContain('https://files.example.org/api/v1/workflows/gaussian-log-abc12-3def4-2')
    expect(text).toContain('Notification id: 6f1c2a4e-93b0-8d51-a3c2-0e9d1f7b4c21')
    expect(text).not.toContain('attempt')
  })

  test('a retried run names its attempt; an automatic run says it was started automatically', () => {
    const { text } = renderCompletionEmail(
      payload({ run: { attempt: 2, createdBy: AUTOMATIC_CREATOR } }),
      'https://files.example.org',
    )
    expect(text).toMatch(/^Run: +gaussian-log-abc12-3def4-2 \(attempt 2\)$/m)
    expect(text.split('\n')[0]).toBe(
      'The gaussian-log run gaussian-log-abc12-3def4-2, started automatically for your upload to record abc12-3def4, partly succeeded.',
    )
  })

  test('the HTML part escapes what it shows and links the run page', () => {
    const { html } = renderCompletionEmail(
      payload({ outcome: { message: '<script>alert(1)</script>', files: { 'a&b<c>.log': 'FAILURE' } } }),
      'https://files.example.org',
    )
    expect(html).not.toContain('<script>')
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(html).toContain('<code>a&amp;b&lt;c&gt;.log</code>: failed (FAILURE)')
    expect(html).toContain('<a href="https://files.example.org/ui/records/abc12-3def4">See the run</a>')
  })

  test('a line break in the record id cannot add a header', () => {
    const { subject } = renderCompletionEmail(
      payload({ run: { recordId: 'abc\r\nBcc: x@y.org' } }),
      'https://x.org',
    )
    expect(subject).not.toMatch(/[\r\n]/)
  })

  test('runPageUrl encodes the record id', () => {
    expect(runPageUrl('https://x.org/base/', 'a b')).toBe('https://x.org/base/ui/records/a%20b')
  })
})

describe('recipientOf', () => {
  test('a person gets their own runs; automatic and service runs go to the record owner', () => {
    expect(recipientOf({ createdBy: '17', recordId: 'r1' })).toBe('user:17')
    expect(recipientOf({ createdBy: AUTOMATIC_CREATOR, recordId: 'r1' })).toBe('owner:r1')
    expect(recipientOf({ createdBy: 'service', recordId: 'r1' })).toBe('owner:r1')
  })
})

describe('InvenioRecipients', () => {
  const draft = (owner: unknown): InvenioRecord => ({
    id: 'r1',
    links: {},
    parent: { id: 'p1', access: { owned_by: owner } },
  })
  const users: Record<string, { email?: string } | Error> = {
    '12': { email: 'owner@example.org' },
    '13': {},
    '14': new NotFoundError('no user'),
    '15': new NoAccessError('Permission denied.'),
    '16': new UnavailableError('Invenio did not answer', 5),
  }
  const calls: string[] = []
  const invenio = {
    getUser: (id: string) => {
      calls.push(`user ${id}`)
      const answer = users[id] ?? new NotFoundError('no user')
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve({ id, ...answer })
    },
    resolveRecord: (recordId: string) => {
      calls.push(`record ${recordId}`)
      if (recordId === 'draft')
        return Promise.resolve({ kind: 'draft' as const, draft: draft({ user: '12' }) })
      if (recordId === 'published')
        return Promise.resolve({ kind: 'published' as const, record: draft([{ user: 12 }]) })
      if (recordId === 'ownerless')
        return Promise.resolve({ kind: 'draft' as const, draft: draft(undefined) })
      return Promise.reject(new NotFoundError('no record'))
    },
  }
  const recipients = new InvenioRecipients(invenio)

  test('a user: the address Invenio shows the service', async () => {
    await expect(recipients.addressOf('user:12')).resolves.toBe('owner@example.org')
  })

  test('an owner: found on the draft or the published record, then looked up', async () => {
    calls.length = 0
    await expect(recipients.addressOf('owner:draft')).resolves.toBe('owner@example.org')
    await expect(recipients.addressOf('owner:published')).resolves.toBe('owner@example.org')
    expect(calls).toEqual(['record draft', 'user 12', 'record published', 'user 12'])
  })

  test.each(['user:13', 'user:14', 'user:15', 'owner:ownerless', 'owner:gone', 'somebody'])(
    '%s: no address known',
    async (recipient) => {
      await expect(recipients.addressOf(recipient)).resolves.toBeNull()
    },
  )

  test('Invenio unavailable: thrown, so the try fails and is retried', async () => {
    await expect(recipients.addressOf('user:16')).rejects.toBeInstanceOf(UnavailableError)
  })
})

describe('Invenio user answers', () => {
  test('parseUser keeps a plausible email and nothing else in its place', () => {
    expect(parseUser({ id: 12, username: 'jana', email: 'jana@example.org' })).toEqual({
      id: '12',
      username: 'jana',
      email: 'jana@example.org',
    })
    expect(parseUser({ id: '12', email: '' })).toEqual({ id: '12' })
    expect(parseUser({ id: '12', email: 'not an address' })).toEqual({ id: '12' })
    expect(parseUser({ id: '12', email: null })).toEqual({ id: '12' })
  })

  test('recordOwnerOf reads parent.access.owned_by in both shapes', () => {
    const record = (parent: unknown): InvenioRecord => ({ id: 'r', links: {}, parent })
    expect(recordOwnerOf(record({ access: { owned_by: { user: '12' } } }))).toBe('12')
    expect(recordOwnerOf(record({ access: { owned_by: [{ user: 7 }] } }))).toBe('7')
    expect(recordOwnerOf(record({ access: {} }))).toBeNull()
    expect(recordOwnerOf(record(undefined))).toBeNull()
  })
})
