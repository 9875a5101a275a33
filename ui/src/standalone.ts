// The standalone page /ui/records/{recordId}: Invenio links to it with the session in the fragment
// (`#session=…&expires=…&return=…`, or `#error=forbidden&return=…`). The fragment is read once,
// removed from the address bar and history, and kept in sessionStorage so a reload still works.
import './index.js'
import type { CompchemWorkflows } from './compchem-workflows.js'
import { parseSessionHash, safeReturnUrl, type HashSession } from './logic/session.js'

const recordId = decodeURIComponent(location.pathname.split('/').filter(Boolean).pop() ?? '')
const storageKey = `compchem-workflows:${recordId}`

function fromStorage(): HashSession {
  try {
    const stored = JSON.parse(sessionStorage.getItem(storageKey) ?? 'null') as HashSession | null
    return stored && (stored.kind === 'session' || stored.kind === 'forbidden') ? stored : { kind: 'none' }
  } catch {
    return { kind: 'none' }
  }
}

function takeFragment(): HashSession {
  const parsed = parseSessionHash(location.hash)
  if (location.hash) history.replaceState(history.state, '', location.pathname + location.search)
  if (parsed.kind === 'none') return fromStorage()
  try {
    sessionStorage.setItem(storageKey, JSON.stringify(parsed))
  } catch {
    // Storage may be disabled: the page still works until it is reloaded.
  }
  return parsed
}

function apply(element: CompchemWorkflows, link: HashSession): void {
  if (link.kind !== 'none') element.returnUrl = safeReturnUrl(link.returnUrl) ?? ''
  element.accessDenied = link.kind === 'forbidden'
  if (link.kind === 'session') element.session = link.session
}

const element = document.querySelector<CompchemWorkflows>('compchem-workflows')
if (element) {
  element.apiBase = new URL('../../', location.href).href
  apply(element, takeFragment())
  element.recordId = recordId
  // A new link followed while the page is open (same document): take its session too.
  window.addEventListener('hashchange', () => {
    const link = parseSessionHash(location.hash)
    if (link.kind !== 'none') apply(element, takeFragment())
  })
}
