// Which workflow types apply to a draft file. Mimetype and extension decide most types; a type with
// a contentPattern also needs the start of the file, read from Invenio with a Range request and
// remembered by checksum (same checksum, same bytes), so a listing does not re-read every file.
import { LRUCache } from 'lru-cache'
import { HEAD_BYTES, typesForFile } from '../catalog/match.js'
import type { Catalog, WorkflowType } from '../config/index.js'
import {
  isCompletedFile,
  type InvenioClient,
  type InvenioCredentials,
  type InvenioFileEntry,
} from '../invenio/index.js'

const UNKNOWN_MIMETYPE = 'application/octet-stream'

export function mimetypeOf(entry: Pick<InvenioFileEntry, 'mimetype'>): string {
  return entry.mimetype || UNKNOWN_MIMETYPE
}

interface HeadContext {
  entry: InvenioFileEntry
  token: InvenioCredentials
}

export interface FileTypeResolverOptions {
  invenio: Pick<InvenioClient, 'readFileHead'>
  /** Total bytes of file heads kept (default 16 MiB). */
  cacheBytes?: number
}

export class FileTypeResolver {
  private readonly invenio: Pick<InvenioClient, 'readFileHead'>
  private readonly heads: LRUCache<string, Buffer, HeadContext>

  constructor(options: FileTypeResolverOptions) {
    this.invenio = options.invenio
    this.heads = new LRUCache<string, Buffer, HeadContext>({
      maxSize: options.cacheBytes ?? 16 * 1024 * 1024,
      // An empty head still takes a slot's worth, so a flood of empty files cannot grow the cache.
      sizeCalculation: (head) => Math.max(head.byteLength, 64),
      // Concurrent callers for the same checksum share one Range request.
      fetchMethod: async (_checksum, _stale, { context }) => this.readHead(context),
    })
  }

  /**
   * The types that apply to the file, in catalog order. Content patterns are checked only for
   * completed files (a pending upload has no content yet, so such types do not apply yet).
   */
  async typesFor(
    catalog: Catalog,
    entry: InvenioFileEntry,
    token: InvenioCredentials,
  ): Promise<WorkflowType[]> {
    const file = { key: entry.key, mimetype: mimetypeOf(entry) }
    const { matches, needsContent } = typesForFile(catalog, file)
    if (needsContent.length === 0 || !isCompletedFile(entry)) return matches
    const head = await this.headOf(entry, token)
    return typesForFile(catalog, file, head).matches
  }

  private async headOf(entry: InvenioFileEntry, token: InvenioCredentials): Promise<Buffer> {
    if (!entry.checksum) return this.readHead({ entry, token })
    const head = await this.heads.fetch(entry.checksum, { context: { entry, token } })
    return head ?? this.readHead({ entry, token })
  }

  private async readHead({ entry, token }: HeadContext): Promise<Buffer> {
    const bytes = await this.invenio.readFileHead(entry, token, HEAD_BYTES)
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }
}
