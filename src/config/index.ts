export {
  loadSettings,
  redactSettings,
  settingsTable,
  settingSpecs,
  documentedDefault,
  SettingsError,
} from './settings.js'
export type { Settings, SettingName } from './settings.js'
export type { ArtifactRepositoryRef, LogLevel } from './parsers.js'
export {
  parseCatalog,
  loadCatalogFile,
  formatProblem,
  findType,
  parametersValidator,
  DEFAULT_PARAMETERS,
  RESERVED_STEP_NAMES,
} from './catalog.js'
export type {
  Catalog,
  CatalogError,
  CatalogWarning,
  CatalogProblem,
  CatalogResult,
  WorkflowType,
  WorkflowStep,
  WorkflowMatch,
  TemplateRef,
  JsonSchemaObject,
} from './catalog.js'
export { catalogSchema, originalCatalogSchema } from './catalog-schema.js'
export { CatalogStore, CatalogLoadError } from './catalog-store.js'
export type { CatalogStoreOptions, CatalogStatus } from './catalog-store.js'
