import { describeDatabaseUrl } from '../../../src/db/database.js'
import { isWriteOnceViolation } from '../../../src/db/errors.js'
import { toBigIntId } from '../../../src/db/rows.js'

describe('describeDatabaseUrl', () => {
  test('keeps host, port and database, drops user and password', () => {
    expect(describeDatabaseUrl('postgres://app:secret@db.example:5432/compchem?sslmode=require')).toBe(
      'db.example:5432/compchem',
    )
  })
  test('says so when the URL cannot be parsed, without echoing it', () => {
    expect(describeDatabaseUrl('user:secret@nowhere')).not.toContain('secret')
  })
})

describe('toBigIntId', () => {
  test('accepts positive integer strings that fit a BIGINT', () => {
    expect(toBigIntId('42')).toBe(42n)
    expect(toBigIntId('9223372036854775807')).toBe(9223372036854775807n)
  })
  test.each(['0', '-1', '01', '1.5', '', ' 1', '12345678901234567890'])('refuses %p', (id) => {
    expect(() => toBigIntId(id, 'workflowId')).toThrow(/workflowId must be a positive integer string/)
  })
})

describe('isWriteOnceViolation', () => {
  test('recognises the SQLSTATE, the message, and a wrapped cause', () => {
    expect(isWriteOnceViolation({ code: 'CCW01', message: 'x' })).toBe(true)
    expect(isWriteOnceViolation(new Error('compchem_file is write-once: UPDATE refused'))).toBe(true)
    expect(isWriteOnceViolation(new Error('outer', { cause: { code: 'CCW01' } }))).toBe(true)
    expect(isWriteOnceViolation({ meta: { code: 'CCW01' } })).toBe(true)
  })
  test('is false for other errors', () => {
    expect(isWriteOnceViolation(new Error('duplicate key value violates unique constraint'))).toBe(false)
    expect(isWriteOnceViolation(undefined)).toBe(false)
    expect(isWriteOnceViolation({ code: '23505' })).toBe(false)
  })
})
