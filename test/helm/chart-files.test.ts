// The chart ships copies of config/catalog.yaml and workflow-templates/ (a chart cannot read outside
// its directory). They must not drift: `scripts/helm-check.sh sync` refreshes them.
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

const CHART_FILES = 'helm/compchem-fileprocessor/files'
const HINT = 'run scripts/helm-check.sh sync'

function yamlFiles(dir: string): string[] {
  return existsSync(dir)
    ? readdirSync(dir)
        .filter((name) => name.endsWith('.yaml'))
        .sort()
    : []
}

const pairs: Array<[string, string]> = [
  ['config/catalog.yaml', `${CHART_FILES}/catalog.yaml`],
  ...yamlFiles('workflow-templates').map((name): [string, string] => [
    `workflow-templates/${name}`,
    `${CHART_FILES}/workflow-templates/volume/${name}`,
  ]),
  ...yamlFiles('workflow-templates/artifacts').map((name): [string, string] => [
    `workflow-templates/artifacts/${name}`,
    `${CHART_FILES}/workflow-templates/artifacts/${name}`,
  ]),
]

describe('files the chart copies from the repository', () => {
  test('each WorkflowTemplate variant ships in the chart, and nothing else', () => {
    expect(yamlFiles(`${CHART_FILES}/workflow-templates/volume`)).toEqual(yamlFiles('workflow-templates'))
    expect(yamlFiles(`${CHART_FILES}/workflow-templates/artifacts`)).toEqual(
      yamlFiles('workflow-templates/artifacts'),
    )
    expect(yamlFiles('workflow-templates').length).toBeGreaterThan(0)
  })

  test.each(pairs)('%s is copied unchanged', (original, copy) => {
    const message = `${copy} differs from ${original}: ${HINT}`
    expect(existsSync(path.resolve(copy)) ? '' : message).toBe('')
    expect(readFileSync(copy, 'utf8') === readFileSync(original, 'utf8') ? '' : message).toBe('')
  })
})
