// `fileprocessor catalog validate` run as a user runs it: a separate process through bin/.
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../../', import.meta.url))
// The pinned Node 24 (the machine's `node` may be older).
const node = join(root, 'node_modules', '.bin', 'node')

interface Run {
  code: number
  stdout: string
  stderr: string
}

function runCli(...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      node,
      [join(root, 'bin', 'fileprocessor.js'), ...args],
      { cwd: root },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0
        resolve({ code, stdout, stderr })
      },
    )
  })
}

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'catalog-cli-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

test('a broken catalog: line-numbered errors on stderr, exit 1', async () => {
  const path = join(dir, 'broken.yaml')
  writeFileSync(
    path,
    `workflows:
  - name: gaussian-log
    description: Gaussian
    match: { mimetypes: [application/octet-stream], extensions: [log] }
    steps:
      - name: summarize
  - name: gaussian-log
    description: again
    match: { mimetypes: ['*'], extensions: [.out], contentPattern: '[' }
    steps: [{ name: s, templateRef: { name: wt, template: main } }]
    automatc: true
`,
  )
  const run = await runCli('catalog', 'validate', path)
  expect(run.code).toBe(1)
  expect(run.stdout).toBe('')
  expect(run.stderr.split('\n').filter(Boolean)).toEqual([
    `${path}:4:66: workflows[0].match.extensions[0]: must be an extension starting with a dot, such as .log or .tar.gz, or * ('log')`,
    `${path}:6:9: workflows[0].steps[0]: must have required property 'templateRef'`,
    `${path}:7:11: workflows[1].name: duplicate workflow type name 'gaussian-log' (first defined on line 2)`,
    expect.stringMatching(
      new RegExp(
        `^${escape(path)}:9:68: workflows\\[1\\]\\.match\\.contentPattern: is not a valid regular expression`,
      ),
    ),
    `${path}:11:5: workflows[1].automatc: unknown field 'automatc'`,
    `${path}: 5 errors; the catalog is invalid`,
  ])
})

test('an original-format catalog: a summary, exit 0', async () => {
  const path = join(dir, 'original.yaml')
  writeFileSync(
    path,
    `workflows:
  - name: gaussian
    mimetype: application/octet-stream
    extension: log
    processing-templates:
      - name: compchem-gaussian
        template: summarize
  - name: gromacs
    mimetype: application/octet-stream
    extension: tpr
    processing-templates:
      - { name: compchem-gromacs, template: dump }
      - { name: compchem-gromacs, template: mdrun }
`,
  )
  const run = await runCli('catalog', 'validate', path)
  expect(run.code).toBe(0)
  expect(run.stderr).toContain('warning: ')
  expect(run.stderr).toContain('original catalog format converted')
  const lines = run.stdout.split('\n')
  expect(lines[0]).toBe(`${path}: valid (original format, converted): 2 workflow types, 3 steps, 0 automatic`)
  expect(lines[1]).toMatch(/^TYPE\s+STEPS\s+AUTOMATIC\s+MAX FILES\s+MATCH$/)
  expect(lines[2]).toMatch(
    /^gaussian\s+summarize\(compchem-gaussian\/summarize\)\s+no\s+1\s+\.log application\/octet-stream$/,
  )
  expect(lines[3]).toMatch(
    /^gromacs\s+dump\(compchem-gromacs\/dump\) → mdrun\(compchem-gromacs\/mdrun\)\s+no/,
  )
})

test('the shipped catalog validates, and --json prints the converted catalog', async () => {
  const run = await runCli('catalog', 'validate', '--json', 'config/catalog.yaml')
  expect(run.code).toBe(0)
  const result = JSON.parse(run.stdout) as { ok: boolean; catalog: { types: Array<{ name: string }> } }
  expect(result.ok).toBe(true)
  expect(result.catalog.types.map((type) => type.name)).toContain('gaussian-log')
})

test('a missing file is an error, exit 1', async () => {
  const run = await runCli('catalog', 'validate', join(dir, 'nope.yaml'))
  expect(run.code).toBe(1)
  expect(run.stderr).toContain('cannot read the file (ENOENT)')
})

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
