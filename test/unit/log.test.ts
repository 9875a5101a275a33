import { createLogger, redactSecretsInText } from '../../src/log.js'

function capture(level = 'info') {
  const lines: Record<string, unknown>[] = []
  const raw: string[] = []
  const logger = createLogger({
    level,
    name: 'unit',
    destination: {
      write(chunk: string) {
        raw.push(chunk)
        lines.push(JSON.parse(chunk))
      },
    },
  })
  return { logger, lines, text: () => raw.join('') }
}

test('JSON lines with ISO timestamps, level labels and the name', () => {
  const { logger, lines } = capture()
  logger.info({ recordId: 'r1' }, 'hello')
  expect(lines[0]).toMatchObject({ level: 'info', name: 'unit', msg: 'hello', recordId: 'r1' })
  expect(new Date(String(lines[0]?.time)).toISOString()).toBe(lines[0]?.time)
})

test('respects the level', () => {
  const { logger, lines } = capture('warn')
  logger.info('quiet')
  logger.warn('loud')
  expect(lines.map((line) => line.msg)).toEqual(['loud'])
})

test('secret fields are redacted at the depths they occur', () => {
  const { logger, text } = capture()
  logger.info({
    password: 'secret-P1',
    token: 'secret-T1',
    DATABASE_URL: 'postgres://u:secret-P2@h/db',
    settings: { databaseUrl: 'postgres://u:secret-P3@h/db', invenio: { serviceToken: 'secret-T2' } },
    req: {
      headers: { authorization: 'Bearer secret-T3', cookie: 'sid=secret-C1', accept: 'application/json' },
    },
    res: { headers: { 'set-cookie': 'sid=secret-C2' } },
  })
  const out = text()
  expect(out).not.toContain('secret-')
  expect(out).toContain('application/json')
  expect(out).toContain('[Redacted]')
})

test('secrets inside messages and errors are redacted', () => {
  const { logger, lines, text } = capture()
  logger.error(new Error('connect failed: postgres://app:hunter2@db:5432/x'), 'while using Bearer abc.def')
  logger.error({ err: new Error('refused ?sig=ABCDEF') }, 'oops')
  const out = text()
  expect(out).not.toContain('hunter2')
  expect(out).not.toContain('abc.def')
  expect(out).not.toContain('ABCDEF')
  expect((lines[0]?.err as { stack: string }).stack).toContain('[Redacted]')
})

test('redactSecretsInText leaves ordinary text alone', () => {
  expect(redactSecretsInText('https://invenio.example/api/records/abc?page=2')).toBe(
    'https://invenio.example/api/records/abc?page=2',
  )
  expect(redactSecretsInText('/api/v1/records/r1/events?lastEventId=5&sig=xyz&exp=1')).toBe(
    '/api/v1/records/r1/events?lastEventId=5&sig=[Redacted]&exp=1',
  )
  expect(redactSecretsInText('Authorization: Basic dXNlcjpwYXNz')).toBe('Authorization: Basic [Redacted]')
})
