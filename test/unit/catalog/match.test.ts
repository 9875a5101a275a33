import { readFileSync } from 'node:fs'
import { fileExtension, HEAD_BYTES, needsHead, typesForFile } from '../../../src/catalog/match.js'
import { parseCatalog, type Catalog } from '../../../src/config/index.js'

function catalogFrom(text: string): Catalog {
  const result = parseCatalog(text, 'test.yaml')
  if (!result.ok) throw new Error(JSON.stringify(result.errors))
  return result.catalog
}

const shipped = catalogFrom(readFileSync(new URL('../../../config/catalog.yaml', import.meta.url), 'utf8'))

const gaussianHead = ` Entering Gaussian System, Link 0=g16
 Input=water.gjf
 ******************************************
 Gaussian 16:  ES64L-G16RevC.01  3-Jul-2019
`
const orcaHead = `
                                 *****************
                                 * O   R   C   A *
                                 *****************
`

const names = (types: Array<{ name: string }>) => types.map((type) => type.name)
const octet = 'application/octet-stream'

describe('typesForFile on the shipped catalog', () => {
  test.each([
    ['water.log', gaussianHead, ['gaussian-log']],
    ['water.out', gaussianHead, ['gaussian-log']],
    ['benzene.out', orcaHead, ['orca-out']],
    ['benzene.log', orcaHead, ['orca-out']],
    ['notes.log', 'just some text\n', []],
  ])('%s is told apart by its content', (key, head, expected) => {
    expect(names(typesForFile(shipped, { key, mimetype: octet }, head).matches)).toEqual(expected)
  })

  test('without a head, content-dependent types are reported, not guessed', () => {
    const result = typesForFile(shipped, { key: 'water.log', mimetype: octet })
    expect(result.matches).toEqual([])
    expect(names(result.needsContent)).toEqual(['gaussian-log', 'orca-out'])
    expect(needsHead(shipped, { key: 'water.log', mimetype: octet })).toBe(true)
  })

  test('with a head, needsContent is empty', () => {
    expect(typesForFile(shipped, { key: 'water.log', mimetype: octet }, 'nothing').needsContent).toEqual([])
  })

  test('types without a contentPattern match on mimetype and extension alone', () => {
    const result = typesForFile(shipped, { key: 'md/topol.tpr', mimetype: octet })
    expect(names(result.matches)).toEqual(['gromacs-tpr'])
    expect(result.needsContent).toEqual([])
    expect(needsHead(shipped, { key: 'md/topol.tpr', mimetype: octet })).toBe(false)
  })

  test('both the mimetype and the extension must be allowed', () => {
    expect(typesForFile(shipped, { key: 'topol.tpr', mimetype: 'image/png' }).matches).toEqual([])
    expect(typesForFile(shipped, { key: 'topol.txt', mimetype: octet }).matches).toEqual([])
    expect(names(typesForFile(shipped, { key: 'mol.xyz', mimetype: 'chemical/x-xyz' }).matches)).toEqual([
      'xyz-structure',
    ])
    expect(names(typesForFile(shipped, { key: '1abc.pdb', mimetype: 'chemical/x-pdb' }).matches)).toEqual([
      'pdb-structure',
    ])
  })

  test('a .txt file matches nothing', () => {
    const result = typesForFile(shipped, { key: 'readme.txt', mimetype: 'text/plain' }, 'Gaussian')
    expect(result).toEqual({ matches: [], needsContent: [] })
  })

  test('a Buffer head is decoded and only its first 64 KiB are searched', () => {
    const padding = Buffer.alloc(HEAD_BYTES, 0x20)
    const late = Buffer.concat([padding, Buffer.from('Entering Gaussian System')])
    expect(typesForFile(shipped, { key: 'a.log', mimetype: octet }, late).matches).toEqual([])
    const early = Buffer.concat([Buffer.from(gaussianHead), padding])
    expect(names(typesForFile(shipped, { key: 'a.log', mimetype: octet }, early).matches)).toEqual([
      'gaussian-log',
    ])
    const lateText = ' '.repeat(HEAD_BYTES) + 'Entering Gaussian System'
    expect(typesForFile(shipped, { key: 'a.log', mimetype: octet }, lateText).matches).toEqual([])
  })

  test('binary heads do not break matching', () => {
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80, ...Buffer.from(gaussianHead)])
    expect(names(typesForFile(shipped, { key: 'a.log', mimetype: octet }, binary).matches)).toEqual([
      'gaussian-log',
    ])
  })
})

describe('keys and extensions', () => {
  const catalog = catalogFrom(`workflows:
  - name: logs
    description: d
    match: { mimetypes: ['*'], extensions: [.log] }
    steps: [{ name: s, templateRef: { name: wt, template: main } }]
  - name: tarballs
    description: d
    match: { mimetypes: [application/gzip, application/x-tar], extensions: [.tar.gz] }
    steps: [{ name: s, templateRef: { name: wt, template: main } }]
  - name: gzip
    description: d
    match: { mimetypes: [application/gzip], extensions: [.gz] }
    steps: [{ name: s, templateRef: { name: wt, template: main } }]
  - name: anything-text
    description: d
    match: { mimetypes: [text/*], extensions: ['*'] }
    steps: [{ name: s, templateRef: { name: wt, template: main } }]
`)
  const match = (key: string, mimetype = 'application/octet-stream') =>
    names(typesForFile(catalog, { key, mimetype }).matches)

  test.each([
    ['run.log', ['logs']],
    ['RUN.LOG', ['logs']],
    ['Run.Log', ['logs']],
    ['dir/sub dir/run 1.log', ['logs']],
    ['výpočet/Ωmega ✓.log', ['logs']],
    ['a.b.c.log', ['logs']],
    ['.log', []],
    ['.hidden.log', ['logs']],
    ['dir.log/file', []],
    ['log', []],
    ['run.log.', []],
    ['run.log.bak', []],
    ['dir/', []],
    ['', []],
  ])('%j → %j', (key, expected) => {
    expect(match(key)).toEqual(expected)
  })

  test('the longest extension listed in the catalog wins', () => {
    expect(match('data.tar.gz', 'application/gzip')).toEqual(['tarballs'])
    expect(match('DATA.TAR.GZ', 'application/gzip')).toEqual(['tarballs'])
    expect(match('data.gz', 'application/gzip')).toEqual(['gzip'])
    expect(match('data.backup.gz', 'application/gzip')).toEqual(['gzip'])
  })

  test("'*' extensions accept files without an extension and dotfiles", () => {
    expect(match('README', 'text/plain')).toEqual(['anything-text'])
    expect(match('.bashrc', 'text/plain')).toEqual(['anything-text'])
    expect(match('notes.md', 'text/markdown')).toEqual(['anything-text'])
  })

  test('mimetypes are compared without case and parameters; type/* is a prefix', () => {
    expect(match('notes', 'Text/Plain; charset=UTF-8')).toEqual(['anything-text'])
    expect(match('notes', 'textual/plain')).toEqual([])
    expect(match('notes', '')).toEqual([])
    expect(match('a.log', '')).toEqual(['logs'])
  })

  test('fileExtension', () => {
    expect(fileExtension('a/b/c.TAR.gz')).toBe('.gz')
    expect(fileExtension('a/b/c.TAR.gz', new Set(['.tar.gz']))).toBe('.tar.gz')
    expect(fileExtension('a..log')).toBe('.log')
    expect(fileExtension('.bashrc')).toBeUndefined()
    expect(fileExtension('noext')).toBeUndefined()
    expect(fileExtension('trailing.')).toBeUndefined()
  })
})

describe('wildcards', () => {
  const catalog = catalogFrom(`workflows:
  - name: everything
    description: d
    match: { mimetypes: ['*'], extensions: ['*'], contentPattern: '^HEADER' }
    steps: [{ name: s, templateRef: { name: wt, template: main } }]
`)

  test("'*' in both lists defers to the content pattern, which sees line starts", () => {
    const file = { key: 'whatever', mimetype: 'x/y' }
    expect(names(typesForFile(catalog, file).needsContent)).toEqual(['everything'])
    expect(names(typesForFile(catalog, file, 'first line\nHEADER\n').matches)).toEqual(['everything'])
    expect(typesForFile(catalog, file, 'no HEADER here').matches).toEqual([])
  })
})
