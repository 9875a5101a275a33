// `fileprocessor stop|terminate|suspend|resume|retry|resubmit <name>`: act on a run through the API.
import type { Command } from 'commander'
import { RUN_ACTIONS, type RunAction } from '../processing/actions.js'
import { authHeaders, connectionOf, problemDetail } from './sse-client.js'
import { consoleOutput, type Output } from './watch.js'

export interface ActionOptions {
  url?: string
  token?: string
  fallbackResubmit?: boolean
  json?: boolean
}

const DESCRIPTIONS: Record<RunAction, string> = {
  stop: 'stop a run; its exit handler still runs',
  terminate: 'terminate a run at once, without its exit handler',
  suspend: 'suspend a run',
  resume: 'resume a suspended run',
  retry: "retry a failed run's failed steps in place (needs the service's Argo Server)",
  resubmit: 'start a new run with the same type, files and parameters',
}

export function register(program: Command): void {
  for (const action of RUN_ACTIONS) {
    const command = program
      .command(action)
      .description(DESCRIPTIONS[action])
      .argument('<name>', 'run name, <type>-<recordId>-<seq>')
      .option('--url <url>', 'service URL', 'http://localhost:8080')
      .option('--token <token>', 'Invenio token (default: $FILEPROCESSOR_TOKEN)')
      .option('--json', 'print the answer as JSON')
    if (action === 'retry')
      command.option('--fallback-resubmit', 'resubmit when the service cannot retry in place')
    command.action(async (name: string, options: ActionOptions) => {
      process.exitCode = await actionCommand(action, name, options, consoleOutput)
    })
  }
}

/** Returns the exit code: 0 accepted or already in effect, 1 refused or failed. */
export async function actionCommand(
  action: RunAction,
  name: string,
  options: ActionOptions,
  output: Output,
): Promise<number> {
  const { url, token } = connectionOf(options)
  const body = action === 'retry' && options.fallbackResubmit ? { fallback: 'resubmit' } : {}
  let response: Response
  try {
    response = await fetch(`${url}/api/v1/workflows/${encodeURIComponent(name)}/${action}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...authHeaders(token) },
      body: JSON.stringify(body),
    })
  } catch (error) {
    output.err(`cannot reach ${url}: ${(error as Error).message}`)
    return 1
  }
  if (!response.ok) {
    output.err(await problemDetail(response))
    return 1
  }
  const result = (await response.json()) as {
    action: string
    result: string
    phase: string
    attempt?: number
    resubmitted?: { name: string }
  }
  if (options.json) output.out(JSON.stringify(result))
  else if (result.resubmitted) output.out(`${name}: resubmitted as ${result.resubmitted.name}`)
  else
    output.out(
      `${name}: ${result.action} ${result.result === 'accepted' ? 'accepted' : 'already in effect'} (${result.phase}` +
        `${result.attempt ? `, attempt ${result.attempt}` : ''})`,
    )
  return 0
}
