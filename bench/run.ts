// `npm run bench [-- name ...]`: runs every bench/*.bench.ts (or the named ones), each in its own
// process so one benchmark's heap and sockets never colour another's, then writes bench/RESULTS.md
// from the results in bench/.out: per benchmark its figures, the baseline measured in the same run,
// the ratio, the machine and the date. `npm run bench -- --report-only` only rewrites RESULTS.md.
//
// A benchmark writes bench/.out/<name>.json when run directly (see bench/report.ts for the shape;
// a benchmark with its own shape is shown as it wrote it). RESULTS.md lists every result present in
// bench/.out, so running one benchmark keeps the others' latest results.
import { spawn } from 'node:child_process'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import os from 'node:os'
import { fileURLToPath } from 'node:url'
import * as prettier from 'prettier'
import { OUT_DIR, type BenchFigure, type BenchResult } from './report.js'

const BENCH_DIR = new URL('./', import.meta.url)
const RESULTS = new URL('./RESULTS.md', import.meta.url)
const TSX = fileURLToPath(new URL('../node_modules/.bin/tsx', import.meta.url))
const TIMEOUT_MS = Number(process.env.BENCH_TIMEOUT_SECONDS ?? 1800) * 1000

interface RunStamp {
  date: string
  durationSeconds: number
  exitCode: number | null
  machine: Machine
}

interface Machine {
  cpus: number
  cpuModel: string
  memoryGb: number
  node: string
  platform: string
}

type StampedResult = Partial<BenchResult> & { run?: RunStamp; [key: string]: unknown }

function machine(): Machine {
  const cpus = os.cpus()
  return {
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGb: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
  }
}

async function benchmarks(selected: string[]): Promise<string[]> {
  const all = (await readdir(BENCH_DIR))
    .filter((file) => file.endsWith('.bench.ts'))
    .map((file) => file.slice(0, -'.bench.ts'.length))
    .sort()
  const unknown = selected.filter((name) => !all.includes(name))
  if (unknown.length) throw new Error(`unknown benchmark(s) ${unknown.join(', ')}; known: ${all.join(', ')}`)
  return selected.length ? selected : all
}

function runOne(name: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(TSX, [fileURLToPath(new URL(`${name}.bench.ts`, BENCH_DIR))], {
      stdio: 'inherit',
      env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc`.trim() },
    })
    const timer = setTimeout(() => child.kill('SIGTERM'), TIMEOUT_MS)
    child.on('exit', (code) => {
      clearTimeout(timer)
      resolve(code)
    })
  })
}

async function readResult(name: string): Promise<StampedResult | undefined> {
  try {
    return JSON.parse(await readFile(new URL(`${name}.json`, OUT_DIR), 'utf8')) as StampedResult
  } catch {
    return undefined
  }
}

async function stamp(name: string, started: number, exitCode: number | null): Promise<void> {
  const result = await readResult(name)
  const run: RunStamp = {
    date: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    exitCode,
    machine: machine(),
  }
  // A result written before this run started is not this run's: report a failure, not stale numbers.
  const writtenAt = await stat(new URL(`${name}.json`, OUT_DIR)).then(
    (info) => info.mtimeMs,
    () => 0,
  )
  const fresh = result !== undefined && writtenAt >= started
  const stamped: StampedResult = fresh && exitCode === 0 ? { ...result, run } : { name, run, failed: true }
  await mkdir(OUT_DIR, { recursive: true })
  await writeFile(new URL(`${name}.json`, OUT_DIR), JSON.stringify(stamped, null, 2) + '\n')
}

function figureTable(figures: BenchFigure[]): string[] {
  const lines = ['| metric | value | baseline (same run) | ratio | target |', '|---|---:|---:|---:|---|']
  for (const f of figures) {
    const target = f.target ? `${f.target}: ${f.met ? 'met' : '**not met**'}` : ''
    lines.push(`| ${f.metric} | ${f.value} ${f.unit} | ${f.baseline} ${f.unit} | ${f.ratio}× | ${target} |`)
  }
  return lines
}

/** Numeric leaves of an object by dotted path, e.g. { 'latencyMs.p99': 887.8 }. */
function numericLeaves(value: unknown, prefix = ''): Map<string, number> {
  const leaves = new Map<string, number>()
  if (!value || typeof value !== 'object') return leaves
  for (const [key, child] of Object.entries(value)) {
    const path = prefix ? `${prefix}.${key}` : key
    if (typeof child === 'number') leaves.set(path, child)
    else for (const [nested, number] of numericLeaves(child, path)) leaves.set(nested, number)
  }
  return leaves
}

/**
 * For a benchmark with its own shape: when it reports a `baseline` object next to one measured
 * object, every number both share becomes a row (ratio = baseline / value, as for times and counts).
 */
function comparedTable(result: StampedResult): string[] {
  const baseline = result.baseline
  const others = Object.entries(result).filter(
    ([key, value]) =>
      !['baseline', 'options', 'ratios', 'run', 'details'].includes(key) &&
      value &&
      typeof value === 'object',
  )
  if (!baseline || typeof baseline !== 'object' || others.length !== 1) return []
  const [label, measured] = others[0]!
  const base = numericLeaves(baseline)
  const lines = [`| metric | ${label} | baseline (same run) | ratio |`, '|---|---:|---:|---:|']
  for (const [path, value] of numericLeaves(measured)) {
    const other = base.get(path)
    if (other === undefined) continue
    const ratio = value === 0 ? '—' : `${Math.round((other / value) * 10) / 10}×`
    lines.push(`| ${path} | ${value} | ${other} | ${ratio} |`)
  }
  return [...lines, '']
}

function section(result: StampedResult): string[] {
  const lines = [`## ${result.name}`, '']
  const run = result.run
  if (run) {
    const m = run.machine
    lines.push(
      `Run ${run.date} (${run.durationSeconds} s) on ${m.cpus} × ${m.cpuModel}, ${m.memoryGb} GB memory, ` +
        `Node ${m.node}, ${m.platform}.`,
      '',
    )
  }
  if (result.failed)
    return [...lines, `**The last run failed (exit code ${run?.exitCode}); no figures.**`, '']
  if (result.description) lines.push(result.description, '')
  if (Array.isArray(result.figures)) lines.push(...figureTable(result.figures), '')
  else lines.push(...comparedTable(result))
  if (Array.isArray(result.notes)) lines.push(...result.notes.map((note) => `- ${note}`), '')
  const {
    name: _name,
    description: _description,
    figures: _figures,
    notes: _notes,
    run: _run,
    ...rest
  } = result
  const details = result.details ?? rest
  if (details && Object.keys(details).length)
    lines.push(
      '<details><summary>details</summary>',
      '',
      '```json',
      JSON.stringify(details, null, 2),
      '```',
      '',
      '</details>',
      '',
    )
  return lines
}

async function writeResults(): Promise<void> {
  const names = (await readdir(OUT_DIR).catch(() => [] as string[]))
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort()
  const lines = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts) from the latest run of each benchmark; times in milliseconds.',
    'Each figure comes with its baseline measured in the same run on the same machine.',
    '',
  ]
  for (const name of names) {
    const result = await readResult(name)
    if (result?.run) lines.push(...section({ ...result, name: result.name ?? name }))
  }
  // Formatted as the repository's `prettier --check .` expects.
  const options = (await prettier.resolveConfig(fileURLToPath(RESULTS))) ?? {}
  await writeFile(RESULTS, await prettier.format(lines.join('\n'), { ...options, parser: 'markdown' }))
}

const selected = process.argv.slice(2).filter((arg) => !arg.startsWith('-'))
// --report-only: rewrite RESULTS.md from bench/.out without running anything.
const reportOnly = process.argv.includes('--report-only')
let failures = 0
for (const name of reportOnly ? [] : await benchmarks(selected)) {
  console.log(`\n=== bench ${name} ===`)
  const started = Date.now()
  const exitCode = await runOne(name)
  if (exitCode !== 0) failures++
  await stamp(name, started, exitCode)
}
await writeResults()
console.log(`\nwrote ${fileURLToPath(RESULTS)}`)
process.exit(failures ? 1 : 0)
