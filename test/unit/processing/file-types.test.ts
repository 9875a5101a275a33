// Types of a draft file: content patterns read the file's head once per checksum; pending files
// are never read. Invenio is an outside system, stood in for by a counting head reader.
import { parseCatalog, type Catalog } from '../../../src/config/index.js'
import type { InvenioFileEntry } from '../../../src/invenio/index.js'
import { FileTypeResolver } from '../../../src/processing/file-types.js'

const CATALOG = `
workflows:
  - name: gaussian-log
    description: g
    match: { mimetypes: ['*'], extensions: [.log], contentPattern: 'Entering Gaussian' }
    steps: [{ name: s, templateRef: { name: t, template: s } }]
  - name: any-log
    description: a
    match: { mimetypes: ['*'], extensions: [.log] }
    steps: [{ name: s, templateRef: { name: t, template: s } }]
`

function catalog(): Catalog {
  const result = parseCatalog(CATALOG, 'test')
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  return result.catalog
}

function entry(key: string, checksum: string | null, status = 'completed'): InvenioFileEntry {
  return {
    key,
    status,
    checksum,
    size: 10,
    mimetype: null,
    links: { content: `http://x/${key}` },
    metadata: null,
  }
}

describe('FileTypeResolver', () => {
  const heads: Record<string, string> = { 'g.log': ' Entering Gaussian System', 'other.log': 'plain text' }
  let reads: string[]
  let resolver: FileTypeResolver

  beforeEach(() => {
    reads = []
    resolver = new FileTypeResolver({
      invenio: {
        readFileHead: async (file) => {
          reads.push(file.key)
          return new TextEncoder().encode(heads[file.key] ?? '')
        },
      },
    })
  })

  test('a content pattern is decided by the head, read once per checksum', async () => {
    const names = async (file: InvenioFileEntry) =>
      (await resolver.typesFor(catalog(), file, 'token')).map((type) => type.name)
    expect(await names(entry('g.log', 'md5:1'))).toEqual(['gaussian-log', 'any-log'])
    expect(await names(entry('g.log', 'md5:1'))).toEqual(['gaussian-log', 'any-log'])
    expect(await names(entry('other.log', 'md5:2'))).toEqual(['any-log'])
    expect(reads).toEqual(['g.log', 'other.log'])
  })

  test('concurrent lookups of one checksum share a single read', async () => {
    await Promise.all([1, 2, 3].map(() => resolver.typesFor(catalog(), entry('g.log', 'md5:1'), 'token')))
    expect(reads).toEqual(['g.log'])
  })

  test('a pending file is never read and gets only the types that need no content', async () => {
    const types = await resolver.typesFor(catalog(), entry('g.log', null, 'pending'), 'token')
    expect(types.map((type) => type.name)).toEqual(['any-log'])
    expect(reads).toEqual([])
  })
})
