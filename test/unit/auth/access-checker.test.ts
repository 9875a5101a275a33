// The access checker's decisions and cache: Invenio (an outside system) is stood in for by a small
// counting fake; tokens are cached under their hash only; outages are never cached.
import {
  AccessChecker,
  RecordAccessDeniedError,
  UnknownRecordError,
  UnknownUserError,
  tokenHash,
} from '../../../src/auth/index.js'
import {
  NoAccessError,
  NotFoundError,
  UnavailableError,
  type InvenioClient,
  type InvenioRecord,
} from '../../../src/invenio/index.js'

const record = (id: string): InvenioRecord => ({ id, links: {} })

function fakeInvenio(state: { down: boolean; calls: string[] }): InvenioClient {
  return {
    async checkUser(token) {
      state.calls.push(`user:${String(token)}`)
      if (state.down) throw new UnavailableError('down', 5)
      if (token === 'alice') return { id: '1', username: 'alice' }
      throw new NoAccessError('anonymous', 403)
    },
    async getDraft(id, token) {
      state.calls.push(`draft:${id}`)
      if (state.down) throw new UnavailableError('down', 5)
      if (id === 'mine' && token === 'alice') return record(id)
      if (id === 'published-only') throw new NotFoundError('no draft', 404)
      if (id === 'unknown') throw new NotFoundError('none', 404)
      throw new NoAccessError('denied', 403)
    },
    async getPublishedRecord(id) {
      state.calls.push(`record:${id}`)
      if (id === 'published-only') return record(id)
      throw new NotFoundError('none', 404)
    },
  } as Partial<InvenioClient> as InvenioClient
}

describe('AccessChecker', () => {
  let state: { down: boolean; calls: string[] }
  let checker: AccessChecker

  beforeEach(() => {
    state = { down: false, calls: [] }
    checker = new AccessChecker({ invenio: fakeInvenio(state), allowTtlMs: 60_000, denyTtlMs: 1 })
  })

  test('a known user is remembered; the identity carries the caller token, the cache only its hash', async () => {
    expect(await checker.checkUser('alice')).toEqual({
      kind: 'user',
      userId: '1',
      username: 'alice',
      token: 'alice',
    })
    await checker.checkUser('alice')
    expect(state.calls).toEqual(['user:alice'])
    expect(tokenHash('alice')).not.toContain('alice')
    expect(tokenHash('alice')).toHaveLength(43)
  })

  test('a refusal is remembered only for the short deny TTL', async () => {
    await expect(checker.checkUser('stranger')).rejects.toBeInstanceOf(UnknownUserError)
    await new Promise((resolve) => setTimeout(resolve, 20))
    await expect(checker.checkUser('stranger')).rejects.toBeInstanceOf(UnknownUserError)
    expect(state.calls).toEqual(['user:stranger', 'user:stranger'])
  })

  test('Invenio down is not cached: the next call asks again', async () => {
    state.down = true
    await expect(checker.checkUser('alice')).rejects.toBeInstanceOf(UnavailableError)
    state.down = false
    expect((await checker.checkUser('alice')).userId).toBe('1')
  })

  test('records: draft, published only, denied, unknown', async () => {
    expect(await checker.checkRecord('alice', 'mine')).toMatchObject({ kind: 'draft' })
    expect(await checker.checkRecord('alice', 'published-only')).toMatchObject({
      kind: 'published',
      draftRefused: false,
    })
    await expect(checker.checkRecord('alice', 'bobs')).rejects.toBeInstanceOf(RecordAccessDeniedError)
    await expect(checker.checkRecord('alice', 'unknown')).rejects.toBeInstanceOf(UnknownRecordError)
  })

  test('record answers are per token: another token is asked again', async () => {
    await checker.checkRecord('alice', 'mine')
    await checker.checkRecord('alice', 'mine')
    await expect(checker.checkRecord('bob', 'mine')).rejects.toBeInstanceOf(RecordAccessDeniedError)
    expect(state.calls.filter((call) => call === 'draft:mine')).toHaveLength(2)
  })
})
