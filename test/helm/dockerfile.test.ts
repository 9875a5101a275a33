// The image cannot be built here (no container engine), so check what can be checked without one:
// everything the Dockerfile copies exists and is not excluded by .dockerignore, the commands the
// image and the chart run are the compiled forms of real entry points, and the image's user is the
// one the chart's security context expects.
import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'

const dockerfile = readFileSync('Dockerfile', 'utf8')
const ignored = readFileSync('.dockerignore', 'utf8')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'))
const values = parse(readFileSync('helm/compchem-fileprocessor/values.yaml', 'utf8')) as {
  podSecurityContext: { runAsUser: number; runAsGroup: number }
}

/** Sources of COPY instructions that read the build context (not --from another stage). */
function contextSources(): string[] {
  return dockerfile
    .split('\n')
    .filter((line) => /^COPY\s/.test(line) && !line.includes('--from='))
    .flatMap((line) => line.trim().split(/\s+/).slice(1, -1))
}

/** The compiled file an entry point becomes: dist/x.js ← src/x.ts. */
const sourceOf = (compiled: string) => compiled.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')

describe('Dockerfile', () => {
  test('copies only paths that exist and that .dockerignore lets through', () => {
    const sources = contextSources()
    expect(sources).toEqual(
      expect.arrayContaining(['package-lock.json', 'prisma', 'config', 'workflow-templates']),
    )
    for (const source of sources) {
      expect([source, existsSync(source)]).toEqual([source, true])
      expect([source, ignored.includes(source)]).toEqual([source, false])
    }
  })

  test('runs the compiled service, and the chart migrates with the compiled CLI', () => {
    const cmd = JSON.parse(/^CMD (.+)$/m.exec(dockerfile)![1]!) as string[]
    expect(cmd[0]).toBe('node')
    expect(existsSync(sourceOf(cmd[1]!))).toBe(true)
    const job = readFileSync('helm/compchem-fileprocessor/templates/migration-job.yaml', 'utf8')
    const args = /args: \[node, ([^,]+), db, migrate\]/.exec(job)
    expect(args && existsSync(sourceOf(args[1]!))).toBe(true)
  })

  test('runs as the numeric user and group the chart’s security context names', () => {
    const user = /^USER (\d+):(\d+)$/m.exec(dockerfile)
    expect(user?.slice(1).map(Number)).toEqual([
      values.podSecurityContext.runAsUser,
      values.podSecurityContext.runAsGroup,
    ])
  })

  test('exposes the port the chart probes and checks its health on the liveness endpoint', () => {
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m)
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n?.*\/api\/v1\/health\/liveness/m)
  })
})
