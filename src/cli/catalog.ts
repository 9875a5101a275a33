// `fileprocessor catalog validate <file>`: check a catalog before deploying it.
import type { Command } from 'commander'
import { formatProblem, loadCatalogFile, type Catalog } from '../config/catalog.js'

export function register(program: Command): void {
  const catalog = program
    .command('catalog')
    .description('work with the workflow-type catalog (docs/catalog.md)')
  catalog
    .command('validate')
    .description(
      'check a catalog file: prints errors with line and column and exits 1, or a summary and exits 0',
    )
    .argument('<file>', 'catalog YAML file')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, options: { json?: boolean }) => {
      process.exitCode = await validateCatalogCommand(file, options.json ?? false, {
        out: (line) => process.stdout.write(`${line}\n`),
        err: (line) => process.stderr.write(`${line}\n`),
      })
    })
}

export interface Output {
  out(line: string): void
  err(line: string): void
}

/** Returns the exit code. */
export async function validateCatalogCommand(file: string, json: boolean, output: Output): Promise<number> {
  const result = await loadCatalogFile(file)
  if (json) {
    output.out(
      JSON.stringify(result.ok ? { ok: true, catalog: result.catalog, warnings: result.warnings } : result),
    )
    return result.ok ? 0 : 1
  }
  if (!result.ok) {
    for (const error of result.errors) output.err(formatProblem(error))
    output.err(
      `${file}: ${result.errors.length} error${result.errors.length === 1 ? '' : 's'}; the catalog is invalid`,
    )
    return 1
  }
  for (const warning of result.warnings) output.err(`warning: ${formatProblem(warning)}`)
  for (const line of summary(result.catalog)) output.out(line)
  return 0
}

function summary(catalog: Catalog): string[] {
  const rows = catalog.types.map((type) => [
    type.name,
    type.steps
      .map((step) => `${step.name}(${step.templateRef.name}/${step.templateRef.template})`)
      .join(' → '),
    type.automatic ? 'yes' : 'no',
    String(type.maxFiles),
    `${type.match.extensions.join(',')} ${type.match.mimetypes.join(',')}${type.match.contentPattern ? ' +content' : ''}`,
  ])
  const header = ['TYPE', 'STEPS', 'AUTOMATIC', 'MAX FILES', 'MATCH']
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)),
  )
  const format = (row: string[]) =>
    row
      .map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0)))
      .join('  ')
      .trimEnd()
  const automatic = catalog.types.filter((type) => type.automatic).length
  const steps = catalog.types.reduce((count, type) => count + type.steps.length, 0)
  const converted = catalog.format === 'original' ? ' (original format, converted)' : ''
  return [
    `${catalog.source}: valid${converted}: ${catalog.types.length} workflow types, ${steps} steps, ${automatic} automatic`,
    format(header),
    ...rows.map(format),
  ]
}
