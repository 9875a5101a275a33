// bench/concurrent-starts (issue 12): 200 concurrent starts over HTTP, split across two replicas of
// the service on one database and one sandbox cluster. Of the 200, 160 go to distinct files and 40
// repeat one of those files on the other replica at the same moment, so the lock rule is raced
// across replicas. Counted: duplicate names (in answers, rows and the cluster), lock violations (a
// file in two runs that are not over), starts per second. Baseline: the same starts on one replica,
// in the same run. Runs last minutes here, so no run ends while the files are counted.
// On a real PostgreSQL (DATABASE_URL) each replica has its own connection pool; without it both
// share the embedded PGlite's one client (it is one session), which is said in the result.
// Run alone: npx tsx bench/concurrent-starts.bench.ts [--starts 200]
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { RECORD_ID_LABEL, SEQ_LABEL } from '../src/argo/labels.js'
import type { Service } from '../src/service.js'
import { createStackService, startTestStack, type TestStack } from '../test/helpers/stack.js'
import { round, writeBenchResult, type BenchResult } from './report.js'

const REPEATED_SHARE = 0.2
const FILES_PER_RECORD = 20

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? Number(process.argv[index + 1]) : fallback
}

interface Replica {
  service: Service
  url: string
  server: Server
}

async function serve(service: Service): Promise<Replica> {
  const server = createServer(service.app)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { service, server, url: `http://127.0.0.1:${port}` }
}

interface Outcome {
  starts: number
  seconds: number
  startsPerSecond: number
  created: number
  refusedBusy: number
  failed: number
  duplicateNames: number
  lockViolations: number
}

/** One round: `starts` starts at once over HTTP, spread over the replicas; then the counts. */
async function round1(
  stack: TestStack,
  replicas: Replica[],
  starts: number,
  label: string,
): Promise<Outcome> {
  const distinct = Math.round(starts * (1 - REPEATED_SHARE))
  const records: Array<{ id: string; key: string }> = []
  for (let offset = 0; offset < distinct; offset += FILES_PER_RECORD) {
    const keys = Array.from(
      { length: Math.min(FILES_PER_RECORD, distinct - offset) },
      (_, index) => `${label}/m-${offset + index}.xyz`,
    )
    const record = stack.invenio.addRecord({
      owner: 'alice',
      files: keys.map((key) => ({ key, content: '1\nH\nH 0 0 0\n' })),
    })
    records.push(...keys.map((key) => ({ id: record.id, key })))
  }
  // The repeats race their original on another replica (when there are two).
  const targets = [...records, ...records.slice(0, starts - distinct)]
  const startedAt = performance.now()
  const answers = await Promise.all(
    targets.map(async (target, index) => {
      const replica = replicas[index % replicas.length]!
      const response = await fetch(`${replica.url}/api/v1/records/${target.id}/workflows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${stack.tokens.alice}` },
        body: JSON.stringify({ type: 'xyz-structure', files: [target.key] }),
      })
      const body = (await response.json()) as { name?: string }
      return { status: response.status, name: body.name }
    }),
  )
  const seconds = (performance.now() - startedAt) / 1000
  const created = answers.filter((answer) => answer.status === 201)
  const recordIds = new Set(records.map((record) => record.id))
  const rows = await stack.db.db.prisma.compchemWorkflow.findMany({
    where: { recordId: { in: [...recordIds] } },
    include: { outcomes: true, files: { include: { file: true } } },
  })
  const inCluster = stack.cluster.store
    .list('workflows', 'default')
    .filter((workflow) => recordIds.has(workflow.metadata?.labels?.[RECORD_ID_LABEL] ?? ''))
  const duplicates = (values: string[]) => values.length - new Set(values).size
  const duplicateNames =
    duplicates(created.map((answer) => answer.name ?? '')) +
    duplicates(rows.map((row) => row.name)) +
    duplicates(rows.map((row) => `${row.recordId}#${row.seq}`)) +
    duplicates(
      inCluster.map((w) => `${w.metadata?.labels?.[RECORD_ID_LABEL]}#${w.metadata?.labels?.[SEQ_LABEL]}`),
    )
  // Runs not over: no outcome yet (none ends during the bench; a failed start has its Error outcome).
  const holders = new Map<string, number>()
  for (const row of rows.filter((each) => each.outcomes.length === 0))
    for (const link of row.files) {
      const key = `${row.recordId}/${link.file.fileKey}`
      holders.set(key, (holders.get(key) ?? 0) + 1)
    }
  return {
    starts,
    seconds: round(seconds),
    startsPerSecond: round(starts / seconds),
    created: created.length,
    refusedBusy: answers.filter((answer) => answer.status === 409).length,
    failed: answers.filter((answer) => answer.status !== 201 && answer.status !== 409).length,
    duplicateNames,
    lockViolations: [...holders.values()].filter((count) => count > 1).length,
  }
}

async function main(): Promise<void> {
  const starts = option('starts', 200)
  const realPostgres = Boolean(process.env.DATABASE_URL)
  if (!realPostgres)
    console.log(
      'concurrent-starts: DATABASE_URL is unset; both replicas share the embedded PGlite (one session). Set DATABASE_URL for two real connection pools.',
    )
  const env = {
    RATE_LIMIT_START_PER_MINUTE: '100000',
    RATE_LIMIT_START_BURST: '100000',
    PENDING_GRACE_SECONDS: '600',
  }
  // Minutes-long steps: nothing ends while the bench counts who holds which file.
  const stack = await startTestStack({ cluster: { speed: 1, stepSeconds: 600 }, env })
  const second = await createStackService({ ...stack, env })
  const replicas = [await serve(stack.service), await serve(second)]
  try {
    await Promise.all(replicas.map((replica) => replica.service.context.informer.whenSynced()))
    await round1(stack, replicas, 20, 'warmup')
    const baseline = await round1(stack, [replicas[0]!], starts, 'one-replica')
    const measured = await round1(stack, replicas, starts, 'two-replicas')
    const result: BenchResult = {
      name: 'concurrent-starts',
      description:
        `${starts} concurrent starts over HTTP (${Math.round(REPEATED_SHARE * 100)}% of them racing another start of the same file), ` +
        `split across two replicas on one ${realPostgres ? 'PostgreSQL' : 'embedded PGlite'} and one sandbox cluster; ` +
        'baseline: the same starts on one replica, in the same run. Targets: zero duplicate names, zero lock violations.',
      figures: [
        {
          metric: 'throughput, starts per second',
          unit: 'starts/s',
          value: measured.startsPerSecond,
          baseline: baseline.startsPerSecond,
          ratio: round(measured.startsPerSecond / baseline.startsPerSecond),
        },
        zeroFigure('duplicate names', measured.duplicateNames, baseline.duplicateNames),
        zeroFigure(
          'lock violations (a file in two runs not over)',
          measured.lockViolations,
          baseline.lockViolations,
        ),
      ],
      notes: [
        `Two replicas: ${measured.created} created, ${measured.refusedBusy} refused as busy (409), ${measured.failed} other answers, in ${measured.seconds} s.`,
        `One replica: ${baseline.created} created, ${baseline.refusedBusy} refused as busy (409), ${baseline.failed} other answers, in ${baseline.seconds} s.`,
        'Starts on one record queue on its advisory lock, whichever replica they reach; on a 2-core machine both replicas and the sandbox share the cores, so two replicas add safety here, not speed.',
        ...(realPostgres
          ? []
          : [
              'Embedded PGlite: both replicas use one database client, so cross-connection races are not exercised.',
            ]),
      ],
      details: {
        twoReplicas: measured,
        oneReplica: baseline,
        database: realPostgres ? 'postgresql' : 'pglite',
      },
    }
    await writeBenchResult(result)
    console.log(JSON.stringify(result, null, 2))
    const broken =
      measured.duplicateNames + measured.lockViolations + baseline.duplicateNames + baseline.lockViolations
    if (broken || measured.failed || measured.created !== Math.round(starts * (1 - REPEATED_SHARE)))
      process.exitCode = 1
  } finally {
    for (const replica of replicas) {
      replica.server.closeAllConnections()
      await new Promise<void>((resolve) => replica.server.close(() => resolve()))
    }
    await second.close()
    await stack.close()
  }
}

function zeroFigure(metric: string, value: number, baseline: number) {
  return { metric, unit: '', value, baseline, ratio: 1, target: '0', met: value === 0 && baseline === 0 }
}

await main()
