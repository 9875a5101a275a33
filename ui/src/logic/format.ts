// Durations and times as people read them.

/** Elapsed time of something started at `startedAt` and finished at `finishedAt` (or still going). */
export function elapsed(startedAt: string | null, finishedAt: string | null, now: number): string | null {
  if (!startedAt) return null
  const start = Date.parse(startedAt)
  const end = finishedAt ? Date.parse(finishedAt) : now
  if (Number.isNaN(start) || Number.isNaN(end)) return null
  return formatDuration(Math.max(0, end - start))
}

export function formatDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000)
  if (seconds < 60) return `${seconds} s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, '0')} s`
  const hours = Math.floor(minutes / 60)
  return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`
}

/** "1/3" → "1 of 3 steps"; null when unknown. */
export function progressLabel(progress: string | null | undefined): string | null {
  const match = /^(\d+)\/(\d+)$/.exec(progress ?? '')
  if (!match) return null
  return `${match[1]} of ${match[2]} steps`
}
