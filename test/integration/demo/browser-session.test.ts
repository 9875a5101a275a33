// The demo's browser path without a browser: sign in to the fake Invenio, open a record page that
// embeds the widget, and mint deposit-form sessions through the Invenio-side views — for the owner,
// for a user without access, and for nobody. And the demo's mail server gets the completion email.
import pino from 'pino'
import { startDemo, type DemoSystem } from '../../../src/sandbox/demo-system.js'
import type { CaughtMail } from '../../../src/sandbox/mail-catcher.js'
import { DATABASE_BOOT_TIMEOUT } from '../../helpers/database.js'

let demo: DemoSystem
const mails: CaughtMail[] = []

beforeAll(async () => {
  demo = await startDemo({
    logger: pino({ level: 'silent' }),
    port: 0,
    stepSeconds: 1,
    env: { DATABASE_URL: undefined },
    onMail: (mail) => mails.push(mail),
  })
}, DATABASE_BOOT_TIMEOUT)

afterAll(async () => {
  await demo?.close()
})

async function signIn(user: string): Promise<string> {
  const answer = await fetch(`${demo.invenioUrl}/login?user=${user}&next=/records/x`, { redirect: 'manual' })
  expect(answer.status).toBe(302)
  expect(answer.headers.get('location')).toBe('/records/x')
  const cookie = answer.headers.get('set-cookie') ?? ''
  expect(cookie).toContain('HttpOnly')
  return cookie.split(';')[0]!
}

const record = () => demo.records[0]!
const serviceUrl = () => `http://127.0.0.1:${demo.settings.port}`

test('the record page of a signed-in editor embeds the widget from the service', async () => {
  const cookie = await signIn('alice')
  const html = await (
    await fetch(`${demo.invenioUrl}/records/${record().id}`, { headers: { cookie } })
  ).text()
  expect(html).toContain('Signed in as <strong>alice</strong>')
  expect(html).toContain(`<script type="module" src="${serviceUrl()}/ui/compchem-workflows.js">`)
  expect(html).toContain(`<compchem-workflows record-id="${record().id}"`)
  expect(html).toContain(`session-endpoint="/compchem/session/${record().id}"`)

  const anonymous = await (await fetch(`${demo.invenioUrl}/records/${record().id}`)).text()
  expect(anonymous).not.toContain('<compchem-workflows')
  expect(anonymous).toContain('Sign in')
})

test('the session view mints a token the service accepts for that record only', async () => {
  const cookie = await signIn('alice')
  const answer = await fetch(`${demo.invenioUrl}/compchem/session/${record().id}`, {
    method: 'POST',
    headers: { cookie },
  })
  expect(answer.status).toBe(200)
  const session = (await answer.json()) as { token: string; expiresAt: string }
  expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now())

  const files = await fetch(`${serviceUrl()}/api/v1/records/${record().id}/files`, {
    headers: { authorization: `Bearer ${session.token}` },
  })
  expect(files.status).toBe(200)
  const other = await fetch(`${serviceUrl()}/api/v1/records/${demo.records[1]!.id}/files`, {
    headers: { authorization: `Bearer ${session.token}` },
  })
  expect(other.status).toBe(403)
})

test('a user who may not edit the draft gets 403, nobody signed in gets 401', async () => {
  const bob = await signIn('bob')
  const denied = await fetch(`${demo.invenioUrl}/compchem/session/${record().id}`, {
    method: 'POST',
    headers: { cookie: bob },
  })
  expect(denied.status).toBe(403)
  const anonymous = await fetch(`${demo.invenioUrl}/compchem/session/${record().id}`, { method: 'POST' })
  expect(anonymous.status).toBe(401)
})

test('the full-page link hands the session over in the URL fragment, or says why not', async () => {
  const open = (cookie?: string) =>
    fetch(`${demo.invenioUrl}/compchem/workflows/${record().id}`, {
      redirect: 'manual',
      headers: cookie ? { cookie } : {},
    })
  const alice = new URL((await open(await signIn('alice'))).headers.get('location')!)
  expect(alice.pathname).toBe(`/ui/records/${record().id}`)
  expect(alice.search).toBe('')
  const handed = new URLSearchParams(alice.hash.slice(1))
  expect(handed.get('session')).toMatch(/^cfs1\./)
  expect(handed.get('return')).toBe(`${demo.invenioUrl}/records/${record().id}`)

  const bob = new URL((await open(await signIn('bob'))).headers.get('location')!)
  expect(new URLSearchParams(bob.hash.slice(1)).get('error')).toBe('forbidden')
  expect(bob.hash).not.toContain('session=')

  const nobody = await open()
  expect(nobody.headers.get('location')).toBe(
    `/login?next=${encodeURIComponent(`/compchem/workflows/${record().id}`)}`,
  )
})

test("the fake Invenio shows a user's email to the service account and to the user only", async () => {
  const alice = demo.users.find((u) => u.name === 'alice')!
  const bob = demo.users.find((u) => u.name === 'bob')!
  const me = (await (
    await fetch(`${demo.invenioUrl}/api/me`, { headers: { authorization: `Bearer ${alice.token}` } })
  ).json()) as { id: string }
  const user = (token: string) =>
    fetch(`${demo.invenioUrl}/api/users/${me.id}`, { headers: { authorization: `Bearer ${token}` } }).then(
      (answer) => answer.json() as Promise<Record<string, unknown>>,
    )
  expect(await user(demo.serviceToken)).toEqual({ id: me.id, username: 'alice', email: 'alice@example.org' })
  expect(await user(alice.token)).toMatchObject({ email: 'alice@example.org' })
  expect(await user(bob.token)).toEqual({ id: me.id, username: 'alice' })
  expect((await fetch(`${demo.invenioUrl}/api/users/999`)).status).toBe(404)
})

test("a finished run's completion email reaches the demo's mail server, addressed to its starter", async () => {
  const alice = demo.users.find((u) => u.name === 'alice')!
  const started = await fetch(`${serviceUrl()}/api/v1/records/${record().id}/workflows`, {
    method: 'POST',
    headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'gaussian-log', files: ['water-dimer.log'] }),
  })
  expect(started.status).toBe(201)
  const { name } = (await started.json()) as { name: string }
  for (let i = 0; i < 300 && !mails.some((mail) => mail.subject.includes(name)); i++)
    await new Promise((resolve) => setTimeout(resolve, 100))
  expect(mails.filter((mail) => mail.subject.includes(name))).toEqual([
    {
      to: ['alice@example.org'],
      subject: expect.stringContaining(`${name} on record ${record().id}: succeeded`),
    },
  ])
}, 60_000)
