// Checks the JSON Invenio answers with and keeps what the service uses; anything unusable is a
// RefusedError (502) rather than a crash deeper in the service.
import { RefusedError } from './errors.js'
import type { CheckedUser, InvenioFileEntry, InvenioLinks, InvenioRecord } from './types.js'

type Json = Record<string, unknown>

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function parseLinks(value: unknown): InvenioLinks {
  const links: InvenioLinks = {}
  if (!isObject(value)) return links
  for (const [name, link] of Object.entries(value)) if (typeof link === 'string') links[name] = link
  return links
}

export function parseRecord(body: unknown, where: string): InvenioRecord {
  if (!isObject(body) || typeof body.id !== 'string' || !isObject(body.links)) {
    throw new RefusedError(`Invenio answered ${where} with something that is not a record`)
  }
  return { ...body, id: body.id, links: parseLinks(body.links) }
}

export function parseFileEntry(value: unknown, where: string): InvenioFileEntry {
  if (!isObject(value) || typeof value.key !== 'string') {
    throw new RefusedError(`Invenio answered ${where} with a file entry without a key`)
  }
  return {
    key: value.key,
    status: typeof value.status === 'string' ? value.status : 'unknown',
    checksum: typeof value.checksum === 'string' ? value.checksum : null,
    size: typeof value.size === 'number' ? value.size : null,
    mimetype: typeof value.mimetype === 'string' ? value.mimetype : null,
    links: parseLinks(value.links),
    metadata: isObject(value.metadata) ? value.metadata : null,
  }
}

export function parseFileListing(body: unknown, where: string): InvenioFileEntry[] {
  if (!isObject(body) || !Array.isArray(body.entries)) {
    throw new RefusedError(`Invenio answered ${where} with something that is not a file listing`)
  }
  return body.entries.map((entry) => parseFileEntry(entry, where))
}

export function parseUser(body: unknown): CheckedUser {
  const user: CheckedUser = {}
  if (!isObject(body)) return user
  if (typeof body.id === 'string' || typeof body.id === 'number') user.id = String(body.id)
  if (typeof body.username === 'string') user.username = body.username
  // Something that at least looks like an address; anything else is as good as none.
  if (typeof body.email === 'string' && /^[^\s@]+@[^\s@]+$/.test(body.email)) user.email = body.email
  return user
}

/** The owner's user id from `parent.access.owned_by` (InvenioRDM), or null when the record names none. */
export function recordOwnerOf(record: InvenioRecord): string | null {
  const parent = record.parent
  const access = isObject(parent) ? parent.access : undefined
  const ownedBy = isObject(access) ? access.owned_by : undefined
  // Older InvenioRDM versions list owners: [{user: 12}].
  const owner = Array.isArray(ownedBy) ? ownedBy[0] : ownedBy
  const user = isObject(owner) ? owner.user : undefined
  return typeof user === 'string' || typeof user === 'number' ? String(user) : null
}
