import type { FakeInvenio, NewFile } from './types.js'

// Sample users and records for `npm run demo`. All content is invented here: small, recognisable
// stand-ins for a Gaussian output, a GROMACS run input and a note.

export interface SampleData {
  users: Array<{ name: string; token: string; curator: boolean }>
  records: Array<{
    id: string
    owner: string
    title: string
    files: Array<{ key: string; mimetype: string }>
  }>
}

export interface SampleOptions {
  /** Fixed tokens by user name (alice, bob, cora); random ones otherwise. */
  tokens?: Record<string, string>
}

export function sampleGaussianLog(molecule = 'water dimer'): string {
  return [
    ' Entering Gaussian System, Link 0=g16',
    ` Sample input for ${molecule}, generated for the compchem demo.`,
    ' #P MP2/aug-cc-pVTZ Opt Freq',
    ' SCF Done:  E(RHF) =  -152.0637717     A.U. after   12 cycles',
    ' E2 =    -0.5316112D+00 EUMP2 =    -0.15259538292D+03',
    ' Optimization completed.',
    '    -- Stationary point found.',
    ' Normal termination of Gaussian 16.',
    '',
  ].join('\n')
}

/** A short binary blob that starts like a GROMACS run input (an XDR string header). */
export function sampleTpr(): Buffer {
  const tag = Buffer.from('VERSION 2024.1-demo')
  const header = Buffer.alloc(8)
  header.writeUInt32BE(13, 0)
  header.writeUInt32BE(tag.length, 4)
  const body = Buffer.alloc(256)
  for (let i = 0; i < body.length; i++) body[i] = (i * 37 + 11) % 256
  return Buffer.concat([header, tag, body])
}

/** An XYZ structure: a few atoms of a benzene ring in made-up conformations. */
export function sampleXyz(conformer: number): string {
  const atoms = Array.from({ length: 6 }, (_, i) => {
    const angle = (i * Math.PI) / 3
    const z = ((i % 2 ? 1 : -1) * 0.01 * conformer).toFixed(3)
    return `C ${(1.39 * Math.cos(angle)).toFixed(3)} ${(1.39 * Math.sin(angle)).toFixed(3)} ${z}`
  })
  return [
    String(atoms.length),
    `benzene conformer ${conformer}, generated for the compchem demo`,
    ...atoms,
    '',
  ].join('\n')
}

/**
 * Alice owns "Water dimer" (a Gaussian .log, a GROMACS .tpr in a folder, a .txt) meant for trying
 * things by hand, "Ethanol conformers", an empty draft to upload into for automatic processing, and
 * "Benzene ring distortions" with three XYZ structures that one run can take together.
 * Bob has access to none; Cora is a curator and reads everything.
 */
export function seedSampleData(invenio: FakeInvenio, options: SampleOptions = {}): SampleData {
  const users = [
    invenio.addUser({ name: 'alice', email: 'alice@example.org', token: options.tokens?.alice }),
    invenio.addUser({ name: 'bob', email: 'bob@example.org', token: options.tokens?.bob }),
    invenio.addUser({ name: 'cora', email: 'cora@example.org', token: options.tokens?.cora, curator: true }),
  ]
  const records: Array<{ title: string; files: NewFile[] }> = [
    {
      title: 'Water dimer at MP2/aug-cc-pVTZ',
      files: [
        { key: 'water-dimer.log', content: sampleGaussianLog() },
        { key: 'md/topol.tpr', content: sampleTpr() },
        { key: 'notes.txt', content: 'Geometry from the S22 set; counterpoise correction still to do.\n' },
      ],
    },
    { title: 'Ethanol conformers', files: [] },
    {
      title: 'Benzene ring distortions',
      files: [1, 2, 3].map((n) => ({ key: `structures/conf-${n}.xyz`, content: sampleXyz(n) })),
    },
  ]
  const created = records.map(({ title, files }) => {
    const record = invenio.addRecord({ owner: 'alice', title, files })
    return {
      id: record.id,
      owner: 'alice',
      title,
      files: files.map(({ key }) => ({ key, mimetype: invenio.getFile(record.id, key)?.mimetype ?? '' })),
    }
  })
  return {
    users: users.map(({ name, token, curator }) => ({ name, token, curator })),
    records: created,
  }
}
