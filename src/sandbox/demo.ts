// `npm run demo`: the whole system on embedded defaults (src/sandbox/demo-system.ts). Prints where
// to look and writes .data/demo.json (tokens, records) and .data/kubeconfig for scripts and checks.
import { mkdir, writeFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { SettingsError } from '../config/index.js'
import { createLogger } from '../log.js'
import { closeOnSignals, startDemo } from './demo-system.js'

const DATA_DIR = resolve(process.env.DEMO_DATA_DIR ?? '.data')

async function main(): Promise<void> {
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'info', name: 'demo' })
  let demo
  try {
    demo = await startDemo({
      logger,
      onMail: (mail) => console.log(`demo mail server: email to ${mail.to.join(', ')}: ${mail.subject}`),
    })
  } catch (error) {
    if (error instanceof SettingsError) {
      console.error(`demo: ${error.message}`)
      process.exit(2)
    }
    throw error
  }
  const { apiUrl, invenioUrl } = demo
  await mkdir(DATA_DIR, { recursive: true })
  const kubeconfig = resolve(DATA_DIR, 'kubeconfig')
  await writeFile(kubeconfig, demo.kubeconfig, { mode: 0o600 })
  const summary = {
    apiUrl,
    docsUrl: `${apiUrl}/docs`,
    invenioUrl,
    kubeApiUrl: demo.kubeApiUrl,
    argoServerUrl: demo.argoServerUrl,
    kubeconfig,
    serviceToken: demo.serviceToken,
    users: demo.users,
    records: demo.records,
  }
  await writeFile(resolve(DATA_DIR, 'demo.json'), `${JSON.stringify(summary, null, 2)}\n`, { mode: 0o600 })

  const alice = demo.users.find((u) => u.name === 'alice')!
  const record = demo.records[0]!
  const pageOf = (id: string, user: string) =>
    `${invenioUrl}/login?user=${user}&next=${encodeURIComponent(`/records/${id}`)}`
  console.log(`
compchem-fileprocessor demo is running.

  In a browser  ${pageOf(record.id, 'alice')}
                (signs you in to the fake Invenio as alice and opens "${record.title}",
                 with the workflows widget; "Open workflows in a full page" opens ${apiUrl}/ui/records/${record.id})
                bob has no access to it: ${pageOf(record.id, 'bob')}
  API           ${apiUrl}/api/v1   (docs: ${apiUrl}/docs)
  fake Invenio  ${invenioUrl}
  Kubernetes    ${demo.kubeApiUrl}  (kubeconfig: ${kubeconfig})
  templates     ${demo.templates.join(', ') || '(none shipped yet)'}
  users         ${demo.users.map((u) => u.name).join(', ')} — tokens in ${resolve(DATA_DIR, 'demo.json')}

Try it as alice:
  curl -H 'Authorization: Bearer ${alice.token}' ${apiUrl}/api/v1/records/${record.id}/files
  curl -H 'Authorization: Bearer ${alice.token}' -H 'Content-Type: application/json' \\
       -d '{"type":"gaussian-log","files":["water-dimer.log"]}' ${apiUrl}/api/v1/records/${record.id}/workflows

Completion emails go to a mail server inside the demo, which prints each one here.

Automatic processing: upload a Gaussian .log to "${demo.records[1]!.title}" (${invenioUrl}/api/${demo.invenio.modelPrefix}/${demo.records[1]!.id}/draft/files)
and its run starts by itself (docs/invenio-integration.md).

Stop with Ctrl-C.
`)

  closeOnSignals(demo)
}

await main()
