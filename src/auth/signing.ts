// HMAC-SHA256 signing shared by session tokens and stream URLs (node:crypto; no JOSE library).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto'

export interface SigningKey {
  kid: string
  key: Buffer
}

export function hmac(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url')
}

/** Compares two base64url MACs in constant time (different lengths are simply unequal). */
export function sameMac(expected: string, actual: string): boolean {
  const a = Buffer.from(expected)
  const b = Buffer.from(actual)
  return a.length === b.length && timingSafeEqual(a, b)
}

export function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url')
}

/** Parses base64url JSON; undefined when it is not. */
export function decodeJson(text: string): unknown {
  if (!/^[A-Za-z0-9_-]{1,4096}$/.test(text)) return undefined
  try {
    return JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown
  } catch {
    return undefined
  }
}

/** A random key for a process without a configured one (demo, tests). */
export function randomKey(): Buffer {
  return randomBytes(32)
}

/** A credential that is missing, malformed, tampered with, or expired: 401. */
export class InvalidCredentialError extends Error {
  override readonly name = 'InvalidCredentialError'
}

/** A valid credential used outside what it was issued for (another record, scope or run): 403. */
export class CredentialScopeError extends Error {
  override readonly name = 'CredentialScopeError'
}
