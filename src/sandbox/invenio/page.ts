import type { InvenioStore, StoredRecord } from './store.js'
import type { Urls } from './serialize.js'
import type { User } from './types.js'

// Deliberately small pages: a sign-in list of the sample users, and a record page with its files and
// the spot where the Invenio deposit form embeds the workflows widget (one script tag, one element).

export interface PageViewer {
  user: User | undefined
  /** Base URL of the compchem service; without it the widget spot says it is not connected. */
  serviceUrl: string | undefined
}

export function renderRecordPage(
  store: InvenioStore,
  urls: Urls,
  record: StoredRecord,
  viewer: PageViewer,
): string {
  const owner = store.userById(record.ownerId)?.name ?? 'unknown'
  const rows = [...record.files.values()]
    .map(
      (file) =>
        `<tr><td>${escapeHtml(file.key)}</td><td>${escapeHtml(file.mimetype)}</td>` +
        `<td>${file.size ?? ''}</td><td>${file.status}</td></tr>`,
    )
    .join('\n')
  const here = `/records/${encodeURIComponent(record.id)}`
  const account = viewer.user
    ? `Signed in as <strong>${escapeHtml(viewer.user.name)}</strong> · <a href="/logout">Sign out</a>`
    : `<a href="/login?next=${encodeURIComponent(here)}">Sign in</a>`
  return page(
    record.title,
    `<header><nav>${account}</nav></header>
<main>
<h1>${escapeHtml(record.title)}</h1>
<p>Record <code>${escapeHtml(record.id)}</code> owned by ${escapeHtml(owner)}${record.published ? ', published' : ', draft'}.
API: <a href="${escapeHtml(record.hasDraft ? urls.draft(record.id) : urls.record(record.id))}">JSON</a></p>
<table>
<caption>Files in the repository</caption>
<thead><tr><th>File</th><th>Type</th><th>Size</th><th>Status</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
${workflowsSpot(record, viewer)}
</main>`,
  )
}

function workflowsSpot(record: StoredRecord, viewer: PageViewer): string {
  if (!viewer.serviceUrl)
    return '<p id="compchem-workflows">Workflows (the compchem service is not connected)</p>'
  if (!viewer.user || !record.hasDraft)
    return '<p id="compchem-workflows">Sign in as an editor of this draft to process its files.</p>'
  const id = escapeHtml(record.id)
  const service = escapeHtml(viewer.serviceUrl)
  return `<section id="compchem-workflows" aria-label="File processing">
<script type="module" src="${service}/ui/compchem-workflows.js"></script>
<compchem-workflows record-id="${id}" api-base="${service}" session-endpoint="/compchem/session/${encodeURIComponent(record.id)}"></compchem-workflows>
<p><a href="/compchem/workflows/${encodeURIComponent(record.id)}">Open workflows in a full page</a></p>
</section>`
}

export function renderLoginPage(users: User[], next: string | undefined, error?: string): string {
  const suffix = next ? `&next=${encodeURIComponent(next)}` : ''
  const items = users
    .map(
      (user) =>
        `<li><a href="/login?user=${encodeURIComponent(user.name)}${suffix}">${escapeHtml(user.name)}</a></li>`,
    )
    .join('\n')
  return page(
    'Sign in',
    `<main><h1>Sign in to the demo repository</h1>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<p>This fake Invenio has no passwords: pick a user.</p>
<ul>
${items}
</ul></main>`,
  )
}

// Plain, like an unthemed Invenio page; the widget takes its font and colours from here.
const PAGE_STYLE = [
  'body{font-family:system-ui,sans-serif;line-height:1.4;max-width:72rem;margin:0 auto;padding:0 1rem;color:#1b1f24}',
  'header{padding:.5rem 0;border-bottom:1px solid #d0d7de;margin-bottom:1rem}',
  'table{border-collapse:collapse;margin:1rem 0}caption{text-align:left;font-weight:600}',
  'td,th{padding:.25rem .75rem .25rem 0;text-align:left;overflow-wrap:anywhere}',
].join('')

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>
<style>${PAGE_STYLE}</style></head>
<body>
${body}
</body>
</html>
`
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
