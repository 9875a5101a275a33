// `fileprocessor logs <name> [--step s] [--follow] [--tail n]`: a run's step logs.
import type { Command } from 'commander'
import { authHeaders, connectionOf, followEvents, problemDetail, StreamRefusedError } from './sse-client.js'
import { consoleOutput, type Output } from './watch.js'

export interface LogsOptions {
  url?: string
  token?: string
  step?: string
  follow?: boolean
  tail?: string
}

export function register(program: Command): void {
  program
    .command('logs')
    .description("print a run's step logs, each line tagged with its step; --follow streams them live")
    .argument('<name>', 'run name, <type>-<recordId>-<seq>')
    .option('--url <url>', 'service URL', 'http://localhost:8080')
    .option('--token <token>', 'Invenio token (default: $FILEPROCESSOR_TOKEN)')
    .option('--step <step>', 'only this step')
    .option('-f, --follow', 'follow the steps while they run, until the run (or --step) ends')
    .option('--tail <lines>', 'only the last lines of each step')
    .action(async (name: string, options: LogsOptions) => {
      const abort = new AbortController()
      process.once('SIGINT', () => abort.abort())
      process.exitCode = await logsCommand(name, options, consoleOutput, abort.signal)
    })
}

export function logsUrl(base: string, name: string, options: LogsOptions): string {
  const query = new URLSearchParams()
  if (options.step) query.set('step', options.step)
  if (options.follow) query.set('follow', 'true')
  if (options.tail) query.set('tailLines', options.tail)
  const search = query.toString()
  return `${base}/api/v1/workflows/${encodeURIComponent(name)}/logs${search ? `?${search}` : ''}`
}

/** Returns the exit code. */
export async function logsCommand(
  name: string,
  options: LogsOptions,
  output: Output,
  signal?: AbortSignal,
): Promise<number> {
  const { url, token } = connectionOf(options)
  const target = logsUrl(url, name, options)
  try {
    if (!options.follow) {
      const response = await fetch(target, {
        headers: { Accept: 'text/plain', ...authHeaders(token) },
        signal,
      })
      if (!response.ok) {
        output.err(await problemDetail(response))
        return 1
      }
      const text = await response.text()
      for (const line of text.replace(/\n$/, '').split('\n')) if (line) output.out(line)
      return 0
    }
    await followEvents({
      url: target,
      token,
      signal,
      onEvent: (event) => {
        const data = JSON.parse(event.data) as {
          step?: string
          line?: string
          state?: string
          message?: string
          reason?: string
        }
        if (event.event === 'log') output.out(`[${data.step}] ${data.line}`)
        else if (event.event === 'step')
          output.err(`[${data.step}] -- ${data.state}${data.message ? `: ${data.message}` : ''}`)
        else if (event.event === 'end') {
          output.err(`-- ${data.reason ?? 'end'}`)
          return 'stop'
        }
      },
      onReconnect: (reason, delayMs) =>
        output.err(`-- ${reason}; reconnecting in ${Math.round(delayMs / 1000)} s`),
    })
    return 0
  } catch (error) {
    output.err(error instanceof StreamRefusedError ? error.message : `error: ${(error as Error).message}`)
    return 1
  }
}
