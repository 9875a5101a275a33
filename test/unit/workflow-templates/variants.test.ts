import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { ARTIFACTS_DIR, shippedTemplates, type ShippedWorkflowTemplate } from './shipped.js'
import { toArtifactsVariant, TRANSFER_LABEL } from './variants.js'

const volumeFiles = shippedTemplates('volume')

describe('the artifacts variant of the shipped WorkflowTemplates', () => {
  if (process.env.WRITE_TEMPLATE_VARIANTS === '1') {
    for (const { file, text } of volumeFiles)
      writeFileSync(path.join(ARTIFACTS_DIR, file), toArtifactsVariant(text, file))
    console.log(`wrote ${volumeFiles.length} artifacts variants into ${ARTIFACTS_DIR}; run prettier on them`)
  }

  test.each(volumeFiles.map((f) => [f.file, f.text] as const))(
    '%s has its artifacts twin, derived as generated',
    (file, text) => {
      const twin = path.join(ARTIFACTS_DIR, file)
      expect(existsSync(twin)).toBe(true)
      expect(parse(readFileSync(twin, 'utf8'))).toEqual(parse(toArtifactsVariant(text, file)))
    },
  )

  test('no artifacts file without a volume twin, and each says which variant it is', () => {
    expect(shippedTemplates('artifacts').map((f) => f.file)).toEqual(volumeFiles.map((f) => f.file))
    for (const f of volumeFiles) expect(f.document.metadata.labels?.[TRANSFER_LABEL]).toBe('volume')
    for (const f of shippedTemplates('artifacts'))
      expect(f.document.metadata.labels?.[TRANSFER_LABEL]).toBe('artifacts')
  })

  test('the transform swaps work volume mounts for artifacts and keeps the run token mount', () => {
    const io = volumeFiles.find((f) => f.file === 'compchem-fileprocessor-io.yaml')!
    const variant = parse(toArtifactsVariant(io.text, io.file)) as ShippedWorkflowTemplate
    const [read, write, exit] = variant.spec.templates
    expect(read!.outputs?.artifacts).toEqual([{ name: 'output', path: '/output' }])
    expect(read!.inputs?.artifacts).toBeUndefined()
    expect(read!.script?.volumeMounts?.map((m) => m.name)).toEqual(['run-token'])
    expect(write!.inputs?.artifacts).toEqual([{ name: 'input', path: '/input' }])
    expect(write!.inputs?.parameters?.map((p) => p.name)).not.toContain('input-path')
    expect(exit!.inputs?.artifacts).toBeUndefined()
    expect(exit!.script?.volumeMounts).toBeUndefined()
  })
})
