export { createInvenioClient, type InvenioClient, type InvenioClientOptions } from './client.js'
export { recordOwnerOf } from './parse.js'
export {
  InvenioError,
  NoAccessError,
  NotFoundError,
  RefusedError,
  UnavailableError,
  isInvenioError,
  type InvenioErrorKind,
} from './errors.js'
export {
  GENERATED_FILE_METADATA_KEY,
  SERVICE_CREDENTIALS,
  isCompletedFile,
  isGeneratedFile,
  type CheckedUser,
  type FileContentResponse,
  type InvenioCredentials,
  type InvenioFileEntry,
  type InvenioFileStatus,
  type InvenioLinks,
  type InvenioLogger,
  type InvenioRecord,
  type RecordResolution,
  type UploadContent,
} from './types.js'
