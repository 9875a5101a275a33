// The draft's files as the widget shows them: a status word per file, the types that can start on
// them, and the dry run's warnings in words.
import type { RecordFile, StartWarning, WorkflowType } from './api-types.js'

/**
 * The file's status badge. Deliberately not run phase words ("Running"…), so a file and a run are
 * never confused on the page.
 */
export function fileStatus(file: RecordFile): { label: string; tone: 'ok' | 'bad' | 'running' | 'muted' } {
  if (file.status !== 'completed') return { label: 'Uploading', tone: 'muted' }
  if (file.lockedBy) return { label: 'In use', tone: 'running' }
  if (file.queued) return { label: 'Queued', tone: 'running' }
  if (file.generated) return { label: 'Generated', tone: 'muted' }
  if (file.lastOutcome?.phase === 'Succeeded') return { label: 'Processed', tone: 'ok' }
  if (file.lastOutcome) return { label: 'Last run failed', tone: 'bad' }
  if (file.types.length === 0) return { label: 'No workflow applies', tone: 'muted' }
  return { label: 'Ready', tone: 'muted' }
}

/** Files a run of `type` may take: uploaded, and the type applies to them. */
export function filesForType(files: readonly RecordFile[], type: string): RecordFile[] {
  return files.filter((file) => file.status === 'completed' && file.types.includes(type))
}

/**
 * The types the start dialog offers: those that apply to a file of the draft, in catalog order when
 * the catalog could be read, described by the catalog when it knows them.
 */
export function startableTypes(
  files: readonly RecordFile[],
  catalog: readonly WorkflowType[] | null,
): WorkflowType[] {
  const applicable = new Set(
    files.filter((file) => file.status === 'completed').flatMap((file) => file.types),
  )
  const known = (catalog ?? []).filter((type) => applicable.has(type.name))
  const knownNames = new Set(known.map((type) => type.name))
  const unknown = [...applicable].filter((name) => !knownNames.has(name)).sort()
  return [...known, ...unknown.map((name) => ({ name }))]
}

export function typeTitle(type: WorkflowType): string {
  return type.title || type.name
}

/** A dry run's warning as the dialog says it. */
export function warningText(warning: StartWarning): string {
  if (warning.code === 'files-locked-together')
    return `These ${warning.files.length} files will be locked together until the run ends: no other run can use them before.`
  return warning.message
}
