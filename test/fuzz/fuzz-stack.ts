// The system `npm run demo` starts (src/sandbox/demo-system.ts), for scripts/fuzz.sh: on a free
// loopback port, with rate limits raised, a run seeded so the fuzzer can aim at a real one, and
// everything the script needs written to $FUZZ_STATE_FILE.
// Run: `npx tsx test/fuzz/fuzz-stack.ts`; stop with SIGTERM.
import { writeFile } from 'node:fs/promises'
import { createLogger } from '../../src/log.js'
import { closeOnSignals, startDemo } from '../../src/sandbox/demo-system.js'

export interface FuzzState {
  url: string
  serviceToken: string
  userToken: string
  recordId: string
  emptyRecordId: string
  fileKey: string
  runName: string
}

async function startRun(url: string, token: string, recordId: string, body: object): Promise<string> {
  const response = await fetch(`${url}/api/v1/records/${encodeURIComponent(recordId)}/workflows`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  })
  const answer = (await response.json()) as { name?: string }
  if (response.status !== 201 || !answer.name) {
    throw new Error(`seeding a run failed: ${response.status} ${JSON.stringify(answer)}`)
  }
  return answer.name
}

async function main(): Promise<void> {
  const stateFile = process.env.FUZZ_STATE_FILE
  if (!stateFile) throw new Error('FUZZ_STATE_FILE must name the file to write the state to')
  const logLevel = process.env.LOG_LEVEL ?? 'warn'
  const demo = await startDemo({
    logger: createLogger({ level: logLevel, name: 'fuzz-stack' }),
    port: 0,
    stepSeconds: 1,
    env: {
      DATABASE_URL: undefined,
      LOG_LEVEL: logLevel,
      HOST: '127.0.0.1',
      CATALOG_WATCH: 'false',
      // The fuzzer sends thousands of starts and actions; 429s would hide what the handlers do.
      RATE_LIMIT_START_PER_MINUTE: '100000',
      RATE_LIMIT_START_BURST: '100000',
      RATE_LIMIT_ACTION_PER_MINUTE: '100000',
      RATE_LIMIT_ACTION_BURST: '100000',
    },
  })
  const { service, serviceToken } = demo
  await service.context.informer.whenSynced()

  const alice = demo.users.find((user) => user.name === 'alice')!
  const record = demo.records[0]!
  const runName = await startRun(`http://127.0.0.1:${demo.settings.port}`, alice.token, record.id, {
    type: 'gaussian-log',
    files: ['water-dimer.log'],
  })
  const state: FuzzState = {
    url: `http://127.0.0.1:${demo.settings.port}`,
    serviceToken,
    userToken: alice.token,
    recordId: record.id,
    emptyRecordId: demo.records[1]!.id,
    fileKey: 'water-dimer.log',
    runName,
  }
  await writeFile(stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 })
  console.log(`fuzz stack ready at ${state.url}`)

  closeOnSignals(demo)
}

await main()
