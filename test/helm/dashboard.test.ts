// The Grafana dashboard shipped in the chart: every metric its queries use is one the service really
// exports on /metrics (scraped from a running service), and the chart carries it in a ConfigMap the
// dashboard sidecar picks up. The rendering part skips, saying so, without a helm binary.
import { readFileSync } from 'node:fs'
import request from 'supertest'
import { startTestStack, type TestStack } from '../helpers/stack.js'
import { CHART, findHelm, render } from './render.js'

const DASHBOARD_FILE = `${CHART}/files/dashboards/compchem-fileprocessor.json`

interface Panel {
  id: number
  type: string
  title: string
  datasource?: { uid?: string }
  targets?: Array<{ expr: string; refId: string }>
  panels?: Panel[]
}
interface Dashboard {
  uid: string
  title: string
  panels: Panel[]
  templating: { list: Array<{ name: string; definition?: string }> }
}

const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])])
const queries = panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel, expr: target.expr })),
)

/** Metric names in a PromQL expression: an identifier right before its label matchers or range. */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/([a-zA-Z_:][a-zA-Z0-9_:]*)\s*[{[]/g)].map((match) => match[1]!)
}

/** Series names a Prometheus text exposition offers (a histogram offers _bucket, _sum and _count). */
function exportedNames(exposition: string): Set<string> {
  const names = new Set<string>()
  for (const match of exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = match
    names.add(name!)
    if (type === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(`${name}${suffix}`)
    if (type === 'summary') for (const suffix of ['_sum', '_count']) names.add(`${name}${suffix}`)
  }
  return names
}

describe('Grafana dashboard', () => {
  test('is well formed: unique panel ids, every query on the data source variable, naming a metric', () => {
    expect(dashboard.uid).toBe('compchem-fileprocessor')
    const ids = panels.map((panel) => panel.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(queries.length).toBeGreaterThan(15)
    for (const { panel, expr } of queries) {
      expect({ panel: panel.title, datasource: panel.datasource?.uid }).toEqual({
        panel: panel.title,
        datasource: '${datasource}',
      })
      expect({ panel: panel.title, names: metricNames(expr).length > 0 }).toEqual({
        panel: panel.title,
        names: true,
      })
    }
  })

  test('covers the series the issue asks for', () => {
    const used = new Set(queries.flatMap(({ expr }) => metricNames(expr)))
    for (const name of [
      'http_request_duration_seconds_bucket',
      'fileprocessor_runs_started_total',
      'fileprocessor_runs_finished_total',
      'fileprocessor_informer_relists',
      'fileprocessor_informer_lag_seconds',
      'fileprocessor_sse_clients',
      'fileprocessor_notification_deliveries_total',
      'fileprocessor_dependency_call_duration_seconds_bucket',
      'fileprocessor_dependency_call_errors_total',
    ]) {
      expect(used).toContain(name)
    }
  })

  describe('against a running service', () => {
    let stack: TestStack

    beforeAll(async () => {
      stack = await startTestStack()
    }, 60_000)

    afterAll(async () => {
      await stack?.close()
    })

    test('every metric a query or variable uses is exported on /metrics', async () => {
      const response = await request(stack.service.app).get('/metrics')
      expect(response.status).toBe(200)
      const exported = exportedNames(response.text)
      expect(exported).toContain('fileprocessor_runs_started_total')
      const variableMetrics = dashboard.templating.list.flatMap((variable) =>
        [...(variable.definition ?? '').matchAll(/label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/g)].map(
          (match) => match[1]!,
        ),
      )
      const used = [...new Set([...queries.flatMap(({ expr }) => metricNames(expr)), ...variableMetrics])]
      expect(used.filter((name) => !exported.has(name))).toEqual([])
    })
  })

  const helm = findHelm()
  if (!helm)
    console.log('dashboard ConfigMap test skipped: no helm binary (set HELM_BIN or put helm on PATH)')
  const describeWithHelm = helm ? describe : describe.skip

  describeWithHelm('in the chart', () => {
    const isDashboard = (object: { metadata: { labels?: Record<string, string> } }) =>
      object.metadata.labels?.grafana_dashboard !== undefined

    test('metrics.grafanaDashboard.enabled renders a ConfigMap labelled for the sidecar carrying the JSON', () => {
      const rendered = render(helm!, [
        '--set',
        'metrics.grafanaDashboard.enabled=true',
        '--set',
        'metrics.grafanaDashboard.annotations.grafana_folder=Compchem',
      ])
      const configMap = rendered.one('ConfigMap', isDashboard)
      expect(configMap.metadata.labels?.grafana_dashboard).toBe('1')
      expect(configMap.metadata.annotations?.grafana_folder).toBe('Compchem')
      const data = configMap.data as Record<string, string>
      expect(Object.keys(data)).toEqual(['compchem-fileprocessor.json'])
      expect(JSON.parse(data['compchem-fileprocessor.json']!)).toEqual(dashboard)
    })

    test('is off by default', () => {
      expect(render(helm!).find('ConfigMap', isDashboard)).toEqual([])
    })
  })
})
