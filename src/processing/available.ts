// The catalog as users see it, and which types apply to files described by key and mimetype only
// (the original service's "available workflows" endpoint: no content is read here).
import { typesForFile, type FileToMatch } from '../catalog/match.js'
import type { Catalog, WorkflowType } from '../config/index.js'

export interface WorkflowTypeView {
  name: string
  description: string
  match: WorkflowType['match']
  parameters: WorkflowType['parameters']
  automatic: boolean
  maxFiles: number
}

export function workflowTypesView(catalog: Catalog): WorkflowTypeView[] {
  return catalog.types.map((type) => ({
    name: type.name,
    description: type.description,
    match: type.match,
    parameters: type.parameters,
    automatic: type.automatic,
    maxFiles: type.maxFiles,
  }))
}

export interface AvailableTypes {
  key: string
  mimetype: string
  /** Types that apply on mimetype and extension alone. */
  types: string[]
  /**
   * Types whose mimetype and extension fit but that also look at the file's content: they apply
   * only if the start of the file matches (GET /api/v1/records/{recordId}/files decides that).
   */
  needsContent: string[]
}

export function availableTypes(catalog: Catalog, files: readonly FileToMatch[]): AvailableTypes[] {
  return files.map((file) => {
    const { matches, needsContent } = typesForFile(catalog, file)
    return {
      key: file.key,
      mimetype: file.mimetype,
      types: matches.map((type) => type.name),
      needsContent: needsContent.map((type) => type.name),
    }
  })
}
