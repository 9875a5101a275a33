// `fileprocessor watch <recordId>`: a record's runs, live, from its event stream.
import type { Command } from 'commander'
import type { EventSourceMessage } from 'eventsource-parser'
import { connectionOf, followEvents, StreamRefusedError } from './sse-client.js'

export interface Output {
  out(line: string): void
  err(line: string): void
}

interface RunLine {
  name: string
  phase: string
  progress?: string | null
  message?: string | null
}

export function register(program: Command): void {
  program
    .command('watch')
    .description("follow a record's runs live (snapshot, every change, completion); Ctrl-C to stop")
    .argument('<recordId>', 'Invenio record id')
    .option('--url <url>', 'service URL', 'http://localhost:8080')
    .option('--token <token>', 'Invenio token (default: $FILEPROCESSOR_TOKEN)')
    .option('--json', 'print each event as a JSON line')
    .action(async (recordId: string, options: { url?: string; token?: string; json?: boolean }) => {
      const abort = new AbortController()
      process.once('SIGINT', () => abort.abort())
      process.exitCode = await watchCommand(recordId, options, consoleOutput, abort.signal)
    })
}

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
}

/** Returns the exit code. */
export async function watchCommand(
  recordId: string,
  options: { url?: string; token?: string; json?: boolean },
  output: Output,
  signal?: AbortSignal,
): Promise<number> {
  const { url, token } = connectionOf(options)
  try {
    await followEvents({
      url: `${url}/api/v1/records/${encodeURIComponent(recordId)}/events`,
      token,
      signal,
      onEvent: (event) => printEvent(event, options.json ?? false, output),
      onReconnect: (reason, delayMs) =>
        output.err(`-- ${reason}; reconnecting in ${Math.round(delayMs / 1000)} s`),
    })
    return 0
  } catch (error) {
    output.err(error instanceof StreamRefusedError ? error.message : `error: ${(error as Error).message}`)
    return 1
  }
}

export function printEvent(event: EventSourceMessage, json: boolean, output: Output): void {
  if (json) {
    output.out(JSON.stringify({ id: event.id, event: event.event, data: safeJson(event.data) }))
    return
  }
  const data = safeJson(event.data) as Record<string, unknown>
  switch (event.event) {
    case 'snapshot': {
      const runs = (data.runs as RunLine[] | undefined) ?? []
      output.out(`${runs.length} run${runs.length === 1 ? '' : 's'}`)
      for (const run of runs) output.out(runLine(run))
      return
    }
    case 'workflow':
      output.out(runLine(data as unknown as RunLine))
      return
    case 'completed':
      output.out(`${String(data.name)}  finished: ${String(data.status)} (${String(data.phase)})`)
      return
    default:
      output.err(`-- ${event.event ?? 'message'}: ${event.data}`)
  }
}

function runLine(run: RunLine): string {
  const parts = [run.name, run.phase, run.progress ?? '']
  if (run.message) parts.push(run.message)
  return parts.filter(Boolean).join('  ')
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
