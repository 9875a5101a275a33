// bench/event-burst (issue 9): 10,000 upload events (30% duplicates) over 500 records, sent as fast
// as 32 concurrent senders can. Measured: the service's accept path for an event once Invenio has
// listed the file — the exactly-once insert of the automatic requests (unique key record, file,
// checksum, type; ON CONFLICT DO NOTHING) — against the naive read-then-write dedupe ("is there a
// request for this key? no → insert one") on a table without the unique key.
// Figures: events/s accepted, runs that would start (one per stored request: the queue starts exactly
// one run per request, test/integration/automatic), duplicates started (must be 0).
// Not measured: Invenio's listing and Kubernetes creation, which are the same for both ways.
// Embedded PGlite by default (one connection: concurrency interleaves at query boundaries), or DATABASE_URL.
// Run alone: npx tsx bench/event-burst.bench.ts [--events 10000] [--records 500] [--concurrency 32]
import { insertAutoRequests, type NewAutoRequest } from '../src/db/automatic.js'
import { openDatabase, type Database } from '../src/db/index.js'
import { round, writeBenchResult, type BenchResult } from './report.js'

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? Number(process.argv[index + 1]) : fallback
}

/** The burst: unique (record, file) events, 30% of them sent twice or more, shuffled. */
function burst(events: number, records: number): NewAutoRequest[] {
  const unique = Math.round(events * 0.7)
  const originals: NewAutoRequest[] = Array.from({ length: unique }, (_, index) => ({
    recordId: `bench-${index % records}`,
    fileKey: `file-${Math.floor(index / records)}.log`,
    checksum: `md5:${index.toString(16).padStart(32, '0')}`,
    workflowType: 'gaussian-log',
    mimetype: 'application/octet-stream',
    size: 1024,
    source: 'event',
  }))
  const all = [...originals]
  let seed = 42
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  while (all.length < events) all.push(originals[Math.floor(random() * originals.length)]!)
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[all[i], all[j]] = [all[j]!, all[i]!]
  }
  return all
}

async function send(
  events: NewAutoRequest[],
  concurrency: number,
  accept: (event: NewAutoRequest) => Promise<void>,
) {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events.length) await accept(events[next++]!)
    }),
  )
  return (performance.now() - started) / 1000
}

async function exactlyOnce(db: Database, events: NewAutoRequest[], concurrency: number) {
  const seconds = await send(events, concurrency, async (event) => {
    await insertAutoRequests(db.prisma, [event])
  })
  const counts = await db.prisma.$queryRaw<Array<{ rows: bigint; keys: bigint }>>`
    SELECT count(*) AS rows,
           count(DISTINCT (record_id, file_key, checksum, workflow_type)) AS keys
      FROM compchem_auto_request`
  const { rows, keys } = counts[0]!
  return { seconds, started: Number(rows), duplicates: Number(rows) - Number(keys) }
}

async function readThenWrite(db: Database, events: NewAutoRequest[], concurrency: number) {
  await db.prisma.$executeRawUnsafe(`CREATE TABLE naive_request (
    id BIGSERIAL PRIMARY KEY, record_id TEXT NOT NULL, file_key TEXT NOT NULL, checksum TEXT NOT NULL,
    workflow_type TEXT NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())`)
  await db.prisma.$executeRawUnsafe(
    'CREATE INDEX naive_request_key ON naive_request (record_id, file_key, checksum, workflow_type)',
  )
  const seconds = await send(events, concurrency, async (event) => {
    const existing = await db.prisma.$queryRaw<unknown[]>`
      SELECT 1 FROM naive_request WHERE record_id = ${event.recordId} AND file_key = ${event.fileKey}
         AND checksum = ${event.checksum} AND workflow_type = ${event.workflowType} LIMIT 1`
    if (existing.length) return
    await db.prisma.$executeRaw`
      INSERT INTO naive_request (record_id, file_key, checksum, workflow_type)
      VALUES (${event.recordId}, ${event.fileKey}, ${event.checksum}, ${event.workflowType})`
  })
  const counts = await db.prisma.$queryRaw<Array<{ rows: bigint; keys: bigint }>>`
    SELECT count(*) AS rows, count(DISTINCT (record_id, file_key, checksum, workflow_type)) AS keys
      FROM naive_request`
  const { rows, keys } = counts[0]!
  return { seconds, started: Number(rows), duplicates: Number(rows) - Number(keys) }
}

export async function run(options: {
  events: number
  records: number
  concurrency: number
}): Promise<BenchResult> {
  const events = burst(options.events, options.records)
  const uniqueKeys = new Set(events.map((event) => `${event.recordId}/${event.fileKey}/${event.checksum}`))
    .size
  const db = await openDatabase({ url: process.env.DATABASE_URL, dataDir: 'memory://' })
  try {
    const ours = await exactlyOnce(db, events, options.concurrency)
    const naive = await readThenWrite(db, events, options.concurrency)
    const oursRate = round(events.length / ours.seconds, 0)
    const naiveRate = round(events.length / naive.seconds, 0)
    return {
      name: 'event-burst',
      description: `${events.length} events (${events.length - uniqueKeys} duplicates) over ${options.records} records, ${options.concurrency} concurrent senders: exactly-once insert vs read-then-write`,
      figures: [
        {
          metric: 'events accepted per second',
          unit: 'events/s',
          value: oursRate,
          baseline: naiveRate,
          ratio: round(oursRate / naiveRate),
        },
        {
          metric: 'duplicate runs started',
          unit: 'runs',
          value: ours.duplicates,
          baseline: naive.duplicates,
          ratio: ours.duplicates === 0 ? 0 : round(naive.duplicates / ours.duplicates),
          target: '0',
          met: ours.duplicates === 0,
        },
      ],
      notes: [
        `Runs that would start: ${ours.started} (exactly the ${uniqueKeys} distinct files) vs ${naive.started} with read-then-write.`,
        'The unique key decides in one statement, so no interleaving of concurrent deliveries can pass a check twice; read-then-write can, between its SELECT and its INSERT.',
        process.env.DATABASE_URL
          ? 'PostgreSQL from DATABASE_URL.'
          : 'Embedded PGlite over one connection: concurrent senders interleave at query boundaries, which is enough for the naive way to start duplicates.',
      ],
      details: { uniqueKeys, ours, naive },
    }
  } finally {
    await db.close()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await run({
    events: option('events', 10_000),
    records: option('records', 500),
    concurrency: option('concurrency', 32),
  })
  await writeBenchResult(result)
  for (const figure of result.figures) {
    console.log(`${figure.metric}: ${figure.value} ${figure.unit} vs ${figure.baseline} ${figure.unit} naive`)
  }
  console.log(JSON.stringify(result.details, null, 2))
  process.exit(0)
}
