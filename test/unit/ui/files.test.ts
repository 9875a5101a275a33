import type { RecordFile } from '../../../ui/src/logic/api-types.js'
import { fileStatus, filesForType, startableTypes, warningText } from '../../../ui/src/logic/files.js'

const file = (key: string, extra: Partial<RecordFile> = {}): RecordFile => ({
  key,
  mimetype: 'application/octet-stream',
  size: 10,
  status: 'completed',
  generated: false,
  types: ['gaussian-log'],
  lockedBy: null,
  lastOutcome: null,
  ...extra,
})

describe('fileStatus', () => {
  test.each([
    [file('a', { status: 'pending' }), 'Uploading'],
    [file('a', { lockedBy: 'run-1' }), 'In use'],
    [file('a', { queued: true }), 'Queued'],
    [file('a', { generated: true }), 'Generated'],
    [file('a', { lastOutcome: { run: 'run-1', phase: 'Succeeded', finishedAt: null } }), 'Processed'],
    [file('a', { lastOutcome: { run: 'run-1', phase: 'Failed', finishedAt: null } }), 'Last run failed'],
    [file('a', { types: [] }), 'No workflow applies'],
    [file('a'), 'Ready'],
  ])('%o → %s', (input, label) => {
    expect(fileStatus(input).label).toBe(label)
  })
})

describe('types and files of the start dialog', () => {
  const files = [
    file('a.log'),
    file('b.tpr', { types: ['gromacs-tpr'] }),
    file('c.xyz', { types: ['xyz-structure'], status: 'pending' }),
    file('d.out', { types: ['orca-out', 'gaussian-log'] }),
  ]

  test('types that apply to an uploaded file, catalog order first, then unknown ones by name', () => {
    const catalog = [
      { name: 'gromacs-tpr', description: 'GROMACS' },
      { name: 'gaussian-log' },
      { name: 'xyz-structure' },
    ]
    expect(startableTypes(files, catalog).map((type) => type.name)).toEqual([
      'gromacs-tpr',
      'gaussian-log',
      'orca-out',
    ])
    expect(startableTypes(files, null).map((type) => type.name)).toEqual([
      'gaussian-log',
      'gromacs-tpr',
      'orca-out',
    ])
  })

  test('files a type may take', () => {
    expect(filesForType(files, 'gaussian-log').map((f) => f.key)).toEqual(['a.log', 'd.out'])
    expect(filesForType(files, 'xyz-structure')).toEqual([])
  })

  test('the lock-together warning names the number of files', () => {
    expect(
      warningText({ code: 'files-locked-together', message: 'server words', files: ['a', 'b', 'c'] }),
    ).toMatch(/^These 3 files will be locked together until the run ends/)
    expect(warningText({ code: 'file-busy', message: '"a" is held by run r-1', files: ['a'] })).toBe(
      '"a" is held by run r-1',
    )
  })
})
