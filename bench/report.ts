// What a benchmark hands to bench/run.ts: its figures, each with the baseline measured in the same
// run and the ratio, written to bench/.out/<name>.json. The runner adds the machine and the date.
import { mkdir, writeFile } from 'node:fs/promises'

export interface Timing {
  mean: number
  p50: number
  p95: number
  min: number
  max: number
  samples: number
}

export interface BenchFigure {
  /** What was measured, e.g. "list 1,000 runs, mean". */
  metric: string
  unit: string
  value: number
  /** The same metric measured the baseline way, in the same run. */
  baseline: number
  /** How many times better the value is than the baseline (baseline / value for times). */
  ratio: number
  /** The target, in words, and whether this run met it. */
  target?: string
  met?: boolean
}

export interface BenchResult {
  name: string
  description: string
  figures: BenchFigure[]
  /** What a reader needs to judge the figures (where the time goes, what limits them). */
  notes?: string[]
  /** Anything else worth keeping (sizes, raw timings). */
  details?: Record<string, unknown>
}

export const OUT_DIR = new URL('./.out/', import.meta.url)

export async function writeBenchResult(result: BenchResult): Promise<void> {
  await mkdir(OUT_DIR, { recursive: true })
  await writeFile(new URL(`${result.name}.json`, OUT_DIR), JSON.stringify(result, null, 2) + '\n')
}

export function timingOf(samplesMs: number[]): Timing {
  const sorted = [...samplesMs].sort((a, b) => a - b)
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length
  return {
    mean: round(mean),
    p50: round(at(50)),
    p95: round(at(95)),
    min: round(sorted[0]!),
    max: round(sorted.at(-1)!),
    samples: sorted.length,
  }
}

/** Times `fn` `iterations` times after `warmup` untimed calls; milliseconds. */
export async function measure(fn: () => Promise<unknown>, iterations: number, warmup = 3): Promise<Timing> {
  for (let i = 0; i < warmup; i++) await fn()
  const samples: number[] = []
  for (let i = 0; i < iterations; i++) {
    const started = performance.now()
    await fn()
    samples.push(performance.now() - started)
  }
  return timingOf(samples)
}

export function round(value: number, digits = 2): number {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
