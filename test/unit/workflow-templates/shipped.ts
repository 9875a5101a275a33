// Reads the shipped WorkflowTemplates (both variants) for the tests.
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'

export const TEMPLATES_DIR = path.resolve('workflow-templates')
export const ARTIFACTS_DIR = path.join(TEMPLATES_DIR, 'artifacts')

export interface Parameter {
  name: string
  value?: string
  default?: string
  valueFrom?: { path?: string; default?: string }
}

export interface ShippedTemplate {
  name: string
  inputs?: { parameters?: Parameter[]; artifacts?: { name: string; path: string }[] }
  outputs?: { parameters?: Parameter[]; artifacts?: { name: string; path: string }[] }
  volumes?: { name: string; secret?: { secretName: string } }[]
  script?: {
    image: string
    command: string[]
    source: string
    env?: { name: string; value?: string; valueFrom?: unknown }[]
    volumeMounts?: { name: string; mountPath: string; subPath?: string; readOnly?: boolean }[]
  }
  container?: unknown
}

export interface ShippedWorkflowTemplate {
  apiVersion: string
  kind: string
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> }
  spec: { templates: ShippedTemplate[] }
}

export interface ShippedFile {
  file: string
  variant: 'volume' | 'artifacts'
  text: string
  document: ShippedWorkflowTemplate
}

function readDir(dir: string, variant: ShippedFile['variant']): ShippedFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml') || file.endsWith('.yml'))
    .sort()
    .map((file) => {
      const text = readFileSync(path.join(dir, file), 'utf8')
      return { file, variant, text, document: parse(text) as ShippedWorkflowTemplate }
    })
}

export function shippedTemplates(variant: ShippedFile['variant'] = 'volume'): ShippedFile[] {
  return readDir(variant === 'volume' ? TEMPLATES_DIR : ARTIFACTS_DIR, variant)
}

export function findTemplate(
  files: ShippedFile[],
  ref: { name: string; template: string },
): ShippedTemplate | undefined {
  return files
    .find((file) => file.document.metadata.name === ref.name)
    ?.document.spec.templates.find((template) => template.name === ref.template)
}
