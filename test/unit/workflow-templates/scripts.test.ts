// The shipped step scripts themselves, run with the local python3 and bash on small made-up inputs
// (the sandbox simulates pods and never runs them). File steps talk to a local stand-in for the
// service's file proxy.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  chmodSync,
  existsSync,
} from 'node:fs'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { findTemplate, shippedTemplates } from './shipped.js'

const files = shippedTemplates('volume')
const sourceOf = (name: string, template: string) => findTemplate(files, { name, template })!.script!.source

function hasTool(tool: string): boolean {
  return (process.env.PATH ?? '').split(path.delimiter).some((dir) => existsSync(path.join(dir, tool)))
}
const tools = hasTool('python3') && hasTool('bash')
if (!tools) console.log('python3 or bash not on PATH: shipped step script tests skipped')
const describeWithTools = tools ? describe : describe.skip

interface Run {
  code: number
  stdout: string
  stderr: string
  result: { status: string; message: string; files: Record<string, string> }
}

let work: string
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'step-'))
  mkdirSync(path.join(work, 'in'))
  mkdirSync(path.join(work, 'out'))
})
afterEach(() => rmSync(work, { recursive: true, force: true }))

function put(relative: string, content: string): void {
  const target = path.join(work, 'in', relative)
  mkdirSync(path.dirname(target), { recursive: true })
  writeFileSync(target, content)
}

const readOut = (relative: string) => readFileSync(path.join(work, 'out', relative), 'utf8')

function runStep(command: string, source: string, env: Record<string, string>): Promise<Run> {
  const script = path.join(work, 'step')
  writeFileSync(script, source)
  const resultPath = path.join(work, 'result.json')
  return new Promise((resolve) => {
    execFile(
      command,
      [script],
      {
        cwd: work,
        env: {
          PATH: process.env.PATH,
          INPUT_DIR: path.join(work, 'in'),
          OUTPUT_DIR: path.join(work, 'out'),
          STEP_RESULT_PATH: resultPath,
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error ? Number((error as { code?: number }).code ?? 1) : 0
        const result = existsSync(resultPath) ? JSON.parse(readFileSync(resultPath, 'utf8')) : undefined
        resolve({ code, stdout, stderr, result })
      },
    )
  })
}

const filesEnv = (...keys: string[]) => ({ FILES: JSON.stringify(keys.map((key) => ({ key }))) })

describeWithTools('processing steps', () => {
  test('Gaussian: energies and termination per file; a truncated log is PARTIAL', async () => {
    put(
      'calc/water.log',
      [
        ' Entering Gaussian System, Link 0=g16',
        ' Gaussian 16:  ES64L-G16RevC.01  3-Jul-2019',
        ' #p B3LYP/6-31G(d) opt freq',
        ' Charge =  0 Multiplicity = 1',
        ' SCF Done:  E(RB3LYP) =  -76.4089617716     A.U. after   10 cycles',
        ' SCF Done:  E(RB3LYP) =  -76.4089700000     A.U. after    6 cycles',
        ' Frequencies --  -12.5    1713.1    3727.5',
        ' Normal termination of Gaussian 16 at Thu Mar 14 10:00:00 2024.',
      ].join('\n'),
    )
    put('cut.log', ' SCF Done:  E(UHF) =  -1.1000  A.U. after 3 cycles\n')
    put('notes.log', 'just text\n')
    const run = await runStep(
      'python3',
      sourceOf('compchem-gaussian', 'summarize'),
      filesEnv('calc/water.log', 'cut.log', 'notes.log'),
    )
    expect(run.code).toBe(0)
    expect(run.result.status).toBe('PARTIAL')
    expect(run.result.files).toEqual({
      'calc/water.log': 'SUCCESS',
      'cut.log': 'PARTIAL',
      'notes.log': 'FAILURE',
    })
    const summary = JSON.parse(readOut('calc/water.log.summary.json'))
    expect(summary).toMatchObject({
      finalScfEnergy: -76.40897,
      scfEnergies: 2,
      method: 'RB3LYP',
      charge: 0,
      multiplicity: 1,
      imaginaryFrequencies: 1,
      normalTerminations: 1,
    })
    expect(readOut('calc/water.log')).toContain('Normal termination') // passed on
  })

  test('ORCA: the final single point energy and the last geometry', async () => {
    put(
      'h2.out',
      [
        '                                 * O   R   C   A *',
        '                          Program Version 5.0.4 -  RELEASE  -',
        ' Total Charge           Charge          ....    0',
        ' Multiplicity           Mult            ....    1',
        '---------------------------------',
        'CARTESIAN COORDINATES (ANGSTROEM)',
        '---------------------------------',
        '  H      0.000000    0.000000    0.000000',
        '  H      0.000000    0.000000    0.740000',
        '',
        'FINAL SINGLE POINT ENERGY        -1.167324819',
        '                             ****ORCA TERMINATED NORMALLY****',
      ].join('\n'),
    )
    const run = await runStep('python3', sourceOf('compchem-orca', 'summarize'), filesEnv('h2.out'))
    expect(run.result).toMatchObject({ status: 'SUCCESS', files: { 'h2.out': 'SUCCESS' } })
    expect(JSON.parse(readOut('h2.out.summary.json'))).toMatchObject({
      finalSinglePointEnergy: -1.167324819,
      version: '5.0.4',
      atoms: 2,
      terminatedNormally: true,
    })
  })

  test('XYZ: formula, atoms and an SVG preview; a broken file is a FAILURE', async () => {
    put('water.xyz', '3\nwater\nO 0 0 0.117\nH 0 0.757 -0.467\nH 0 -0.757 -0.467\n')
    put('broken.xyz', '5\ntoo short\nC 0 0 0\n')
    const run = await runStep(
      'python3',
      sourceOf('compchem-structures', 'render-xyz'),
      filesEnv('water.xyz', 'broken.xyz'),
    )
    expect(run.result).toMatchObject({
      status: 'PARTIAL',
      files: { 'water.xyz': 'SUCCESS', 'broken.xyz': 'FAILURE' },
    })
    expect(JSON.parse(readOut('water.xyz.summary.json'))).toMatchObject({
      atoms: 3,
      formula: 'H2O',
      frames: 1,
    })
    expect(readOut('water.xyz.svg')).toMatch(/^<svg[^]*<circle[^]*<\/svg>\n$/)
  })

  test('PDB: chains, residues and residues missing backbone atoms', async () => {
    const atom = (serial: number, name: string, residue: string, number: number) =>
      `ATOM  ${String(serial).padStart(5)} ${name.padEnd(4)} ${residue} A${String(number).padStart(4)}    ` +
      '   1.000   2.000   3.000  1.00  0.00           C'
    put(
      'protein.pdb',
      [
        'REMARK 465   M RES C SSSEQI',
        'REMARK 465     MET A     0',
        ...['N', 'CA', 'C', 'O'].map((name, i) => atom(i + 1, name, 'GLY', 1)),
        ...['N', 'C', 'O'].map((name, i) => atom(i + 5, name, 'ALA', 2)),
        'END',
      ].join('\n'),
    )
    const run = await runStep(
      'python3',
      sourceOf('compchem-structures', 'check-pdb'),
      filesEnv('protein.pdb'),
    )
    expect(run.result).toMatchObject({ status: 'SUCCESS', files: { 'protein.pdb': 'SUCCESS' } })
    expect(JSON.parse(readOut('protein.pdb.summary.json'))).toMatchObject({
      atoms: 7,
      residues: 2,
      chains: { A: { residues: 2, aminoAcids: 2 } },
      residuesMissingBackboneAtoms: ['A:ALA2 missing CA'],
      remark465MissingResidues: 1,
    })
  })

  test('GROMACS dump: summary from gmx dump output, with a stand-in gmx', async () => {
    const gmx = path.join(work, 'gmx')
    writeFileSync(
      gmx,
      '#!/bin/sh\n[ "$1" = dump ] || exit 2\nprintf "header:\\n   natoms = 33\\ninputrec:\\n   integrator                     = md\\n   dt                             = 0.002\\n   nsteps                         = 50000\\n"\n',
    )
    chmodSync(gmx, 0o755)
    put('md/topol ö.tpr', 'binary')
    const run = await runStep('bash', sourceOf('compchem-gromacs', 'dump'), {
      GMX: gmx,
      ...filesEnv('md/topol ö.tpr'),
    })
    expect(run.code).toBe(0)
    expect(run.result).toMatchObject({ status: 'SUCCESS', files: { 'md/topol ö.tpr': 'SUCCESS' } })
    expect(JSON.parse(readOut('md/topol ö.tpr.summary.json'))).toEqual({
      atoms: 33,
      integrator: 'md',
      nsteps: 50000,
      dt: 0.002,
      simulatedTimePs: 100,
    })
    expect(readOut('md/topol ö.tpr')).toBe('binary')
  })
})

describeWithTools('GROMACS check run', () => {
  test('mdrun takes nsteps and threads from the parameters as digits only, keeps the log', async () => {
    const gmx = path.join(work, 'gmx')
    writeFileSync(
      gmx,
      '#!/bin/sh\nprintf "%s\\n" "$*" > args\nprintf "Performance:  12.5  1.9\\nFinished mdrun\\n" > check.log\n',
    )
    chmodSync(gmx, 0o755)
    put('topol.tpr', 'binary')
    const parameters = JSON.stringify({ nsteps: 500, threads: 4, note: '"; rm -rf / #' })
    const run = await runStep('bash', sourceOf('compchem-gromacs', 'mdrun'), {
      GMX: gmx,
      PARAMETERS: parameters,
      ...filesEnv('topol.tpr'),
    })
    expect(run.result).toMatchObject({ status: 'SUCCESS', files: { 'topol.tpr': 'SUCCESS' } })
    expect(run.result.message).toBe('topol.tpr: 500 steps ran, 12.5 ns/day')
    expect(readOut('topol.tpr.mdrun.log')).toContain('Finished mdrun')
  })
})

interface Received {
  method: string
  url: string
  authorization?: string
  body: string
}

describeWithTools('file steps against a stand-in file proxy', () => {
  let server: Server
  let received: Received[]
  let baseUrl: string
  const token = 'run-token-for-tests'

  beforeEach(async () => {
    received = []
    server = createServer((request: IncomingMessage, response) => {
      const chunks: Buffer[] = []
      request.on('data', (chunk: Buffer) => chunks.push(chunk))
      request.on('end', () => {
        received.push({
          method: request.method ?? '',
          url: request.url ?? '',
          authorization: request.headers.authorization,
          body: Buffer.concat(chunks).toString('utf8'),
        })
        if (request.url?.includes('/redirect')) {
          response.writeHead(302, { location: 'http://127.0.0.1:1/elsewhere' }).end()
        } else if (request.method === 'GET') {
          response.end(`content of ${decodeURIComponent(request.url!.split('/').pop()!)}`)
        } else {
          response.writeHead(201).end()
        }
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    writeFileSync(path.join(work, 'token'), `${token}\n`)
  })
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())))

  const env = (entries: object[]) => ({
    FILES: JSON.stringify(entries),
    SERVICE_URL: baseUrl,
    WORKFLOW_NAME: 'gaussian-ab12c-1',
    RUN_TOKEN_FILE: path.join(work, 'token'),
  })

  test('read-files downloads every key, percent-encoded, with the token, checking md5', async () => {
    const key = 'calc/water ö.log'
    const md5 = createHash('md5').update(`content of ${key}`).digest('hex')
    const run = await runStep(
      'python3',
      sourceOf('compchem-fileprocessor-io', 'read-files'),
      env([{ key, checksum: `md5:${md5}` }]),
    )
    expect(run.code).toBe(0)
    expect(received).toEqual([
      {
        method: 'GET',
        url: '/api/v1/runs/gaussian-ab12c-1/files/calc%2Fwater%20%C3%B6.log',
        authorization: `Bearer ${token}`,
        body: '',
      },
    ])
    expect(readOut(key)).toBe(`content of ${key}`)
    expect(run.result).toEqual({
      status: 'SUCCESS',
      message: 'downloaded 1 file(s)',
      files: { [key]: 'SUCCESS' },
    })
    expect(run.stdout + run.stderr).not.toContain(token)
  })

  test('read-files refuses unsafe keys, a wrong checksum and redirects, and fails the step', async () => {
    const run = await runStep(
      'python3',
      sourceOf('compchem-fileprocessor-io', 'read-files'),
      env([
        { key: '../escape' },
        { key: 'bad.log', checksum: 'md5:00' },
        { key: 'redirect' },
        { key: 'ok.log' },
      ]),
    )
    expect(run.code).toBe(1)
    expect(run.result.status).toBe('PARTIAL')
    expect(run.result.files).toEqual({
      '../escape': 'FAILURE',
      'bad.log': 'FAILURE',
      redirect: 'FAILURE',
      'ok.log': 'SUCCESS',
    })
    expect(received.map((r) => r.url)).not.toContain(expect.stringContaining('escape'))
    expect(received.filter((r) => r.url.includes('elsewhere'))).toEqual([])
    expect(existsSync(path.join(work, 'out', 'bad.log'))).toBe(false)
  })

  test('write-files uploads results only: never the inputs, never through symlinks', async () => {
    put('calc/water.log', 'input')
    put('calc/water.log.summary.json', '{"ok":true}')
    symlinkSync(path.join(work, 'token'), path.join(work, 'in', 'stolen-token'))
    const run = await runStep(
      'python3',
      sourceOf('compchem-fileprocessor-io', 'write-files'),
      env([{ key: 'calc/water.log' }]),
    )
    expect(run.code).toBe(0)
    expect(received).toEqual([
      {
        method: 'PUT',
        url: '/api/v1/runs/gaussian-ab12c-1/results/calc%2Fwater.log.summary.json',
        authorization: `Bearer ${token}`,
        body: '{"ok":true}',
      },
    ])
    expect(run.result).toEqual({ status: 'SUCCESS', message: 'uploaded 1 result file(s)', files: {} })
  })
})
