// Fake OARepo/NRP Invenio for tests and `npm run demo` (docs/sandbox.md, "Fake Invenio").
export { startFakeInvenio } from './server.js'
export { GENERATED_METADATA_KEY } from './files.js'
export { mimetypeFor } from './mimetypes.js'
export { DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signWebhookBody } from './webhook.js'
export type {
  FailureMode,
  FakeInvenio,
  FakeInvenioLogger,
  FakeInvenioOptions,
  FileStatus,
  NewFile,
  NewRecord,
  RecordInfo,
  RecordLinks,
  RequestLogEntry,
  StoredFileView,
  User,
  WebhookDelivery,
  WebhookEvent,
  WebhookEventType,
  WebhookOptions,
} from './types.js'
export {
  sampleGaussianLog,
  sampleTpr,
  seedSampleData,
  type SampleData,
  type SampleOptions,
} from './samples.js'
