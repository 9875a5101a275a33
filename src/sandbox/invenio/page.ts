import type { InvenioStore, StoredRecord } from './store.js'
import type { Urls } from './serialize.js'

// A deliberately small record page: the files, and the spot where Invenio embeds the workflows
// widget. It shows keys and sizes only (no content links), since the browser sends no token here.

export function renderRecordPage(
  store: InvenioStore,
  urls: Urls,
  record: StoredRecord,
  serviceUiUrl: string | undefined,
): string {
  const owner = store.userById(record.ownerId)?.name ?? 'unknown'
  const rows = [...record.files.values()]
    .map(
      (file) =>
        `<tr><td>${escapeHtml(file.key)}</td><td>${escapeHtml(file.mimetype)}</td>` +
        `<td>${file.size ?? ''}</td><td>${file.status}</td></tr>`,
    )
    .join('\n')
  const workflows = serviceUiUrl
    ? `<a href="${escapeHtml(`${serviceUiUrl}?record=${encodeURIComponent(record.id)}`)}">Workflows for this record</a>`
    : '<span>Workflows (the compchem service is not connected)</span>'
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${escapeHtml(record.title)}</title></head>
<body>
<h1>${escapeHtml(record.title)}</h1>
<p>Record <code>${escapeHtml(record.id)}</code> owned by ${escapeHtml(owner)}${record.published ? ', published' : ', draft'}.
API: <a href="${escapeHtml(record.hasDraft ? urls.draft(record.id) : urls.record(record.id))}">JSON</a></p>
<table>
<thead><tr><th>File</th><th>Type</th><th>Size</th><th>Status</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<div id="compchem-workflows" data-record-id="${escapeHtml(record.id)}">${workflows}</div>
</body>
</html>
`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
