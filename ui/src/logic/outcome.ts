// Words for run phases and outcomes: badge texts and the toast shown when a run ends.

/** Badge text for a run or step phase; "Suspended" wins while a live run is paused. */
export function phaseLabel(phase: string, suspended = false): string {
  if (suspended && (phase === 'Running' || phase === 'Pending')) return 'Suspended'
  switch (phase) {
    case 'NotFound':
      return 'Not found'
    case 'Omitted':
      return 'Skipped'
    case '':
      return 'Unknown'
    default:
      return phase
  }
}

/** Badge tone, so styles do not have to know every phase. */
export function phaseTone(phase: string, suspended = false): 'pending' | 'running' | 'ok' | 'bad' | 'muted' {
  if (suspended && (phase === 'Running' || phase === 'Pending')) return 'muted'
  if (phase === 'Succeeded') return 'ok'
  if (phase === 'Failed' || phase === 'Error') return 'bad'
  if (phase === 'Running') return 'running'
  if (phase === 'Pending') return 'pending'
  return 'muted'
}

export function isEnded(phase: string): boolean {
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Error' || phase === 'NotFound'
}

/** Step result status (SUCCESS, PARTIAL, FAILURE) in words. */
export function resultLabel(status: string | null | undefined): string | null {
  if (status === 'SUCCESS') return 'Success'
  if (status === 'PARTIAL') return 'Partial success'
  if (status === 'FAILURE') return 'Failure'
  return null
}

/** The toast when a run ends, from the `completed` event's phase and result status. */
export function toastText(runName: string, phase: string, status?: string | null): string {
  if (phase === 'Error') return `${runName} ended with an error`
  if (status === 'PARTIAL') return `${runName} partly succeeded`
  if (phase === 'Succeeded' && status !== 'FAILURE') return `${runName} succeeded`
  return `${runName} failed`
}
