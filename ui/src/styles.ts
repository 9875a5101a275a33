// Shared styles. Every colour and size is a custom property, so Invenio themes restyle the widget
// from outside (`compchem-workflows { --cw-accent: … }`); high contrast and forced colours are honoured.
import { css } from 'lit'

export const baseStyles = css`
  :host {
    --cw-font: inherit;
    --cw-fg: #1d232b;
    --cw-bg: #ffffff;
    --cw-muted: #566170;
    --cw-border: #c5ccd6;
    --cw-surface: #f4f6f9;
    --cw-accent: #1d5fa8;
    --cw-accent-fg: #ffffff;
    --cw-ok: #1c6b34;
    --cw-ok-bg: #e3f3e8;
    --cw-bad: #a3201a;
    --cw-bad-bg: #fbe6e4;
    --cw-running: #1d5fa8;
    --cw-running-bg: #e3edf9;
    --cw-pending: #7a5200;
    --cw-pending-bg: #fbf0d6;
    --cw-radius: 6px;
    --cw-gap: 0.75rem;
    --cw-focus: 3px solid #e0a500;
    display: block;
    font-family: var(--cw-font);
    color: var(--cw-fg);
    background: var(--cw-bg);
    line-height: 1.45;
    container-type: inline-size;
  }
  * {
    box-sizing: border-box;
  }
  h2,
  h3,
  h4 {
    margin: 0 0 var(--cw-gap);
    line-height: 1.2;
  }
  button,
  select,
  input,
  textarea {
    font: inherit;
    color: inherit;
  }
  button {
    cursor: pointer;
    border: 1px solid var(--cw-border);
    background: var(--cw-surface);
    border-radius: var(--cw-radius);
    padding: 0.35rem 0.8rem;
    min-height: 2.25rem;
  }
  button.primary {
    background: var(--cw-accent);
    border-color: var(--cw-accent);
    color: var(--cw-accent-fg);
  }
  button.danger {
    border-color: var(--cw-bad);
    color: var(--cw-bad);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  button.link {
    border: none;
    background: none;
    padding: 0;
    min-height: 0;
    color: var(--cw-accent);
    text-decoration: underline;
    text-align: left;
    overflow-wrap: anywhere;
  }
  :focus-visible {
    outline: var(--cw-focus);
    outline-offset: 2px;
  }
  select,
  input:not([type='checkbox']),
  textarea {
    border: 1px solid var(--cw-border);
    border-radius: var(--cw-radius);
    padding: 0.35rem 0.5rem;
    background: var(--cw-bg);
    max-width: 100%;
  }
  .badge {
    display: inline-block;
    padding: 0.05rem 0.5rem;
    border-radius: 999px;
    font-size: 0.85em;
    font-weight: 600;
    border: 1px solid transparent;
    background: var(--cw-surface);
    color: var(--cw-muted);
    white-space: nowrap;
  }
  .badge.ok {
    background: var(--cw-ok-bg);
    color: var(--cw-ok);
  }
  .badge.bad {
    background: var(--cw-bad-bg);
    color: var(--cw-bad);
  }
  .badge.running {
    background: var(--cw-running-bg);
    color: var(--cw-running);
  }
  .badge.pending {
    background: var(--cw-pending-bg);
    color: var(--cw-pending);
  }
  .muted {
    color: var(--cw-muted);
  }
  .notice {
    border: 1px solid var(--cw-border);
    border-left-width: 4px;
    border-radius: var(--cw-radius);
    padding: 0.6rem 0.8rem;
    margin: 0 0 var(--cw-gap);
    background: var(--cw-surface);
  }
  .notice.bad {
    border-color: var(--cw-bad);
    background: var(--cw-bad-bg);
  }
  .notice.warn {
    border-color: var(--cw-pending);
    background: var(--cw-pending-bg);
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  @media (prefers-contrast: more) {
    :host {
      --cw-fg: #000000;
      --cw-muted: #1d232b;
      --cw-border: #000000;
      --cw-accent: #003c7e;
      --cw-ok: #004d1a;
      --cw-bad: #7a0000;
      --cw-running: #003c7e;
      --cw-pending: #4d3300;
    }
    .badge {
      border-color: currentColor;
    }
  }
  @media (forced-colors: active) {
    .badge,
    .notice,
    button {
      border: 1px solid CanvasText;
      forced-color-adjust: auto;
    }
    button.primary {
      border-width: 2px;
    }
    :focus-visible {
      outline: 3px solid Highlight;
    }
  }
`

/** The record view: files table, runs list, toasts. */
export const workflowsStyles = css`
  .toolbar {
    margin: 0 0 var(--cw-gap);
  }
  .scroll {
    overflow-x: auto;
    margin: 0 0 calc(var(--cw-gap) * 1.5);
  }
  table {
    border-collapse: collapse;
    width: 100%;
  }
  caption {
    text-align: left;
    font-weight: 700;
    font-size: 1.1em;
    padding: 0 0 0.5rem;
  }
  th,
  td {
    text-align: left;
    vertical-align: top;
    padding: 0.4rem 0.5rem;
    border-bottom: 1px solid var(--cw-border);
  }
  thead th {
    font-size: 0.9em;
    color: var(--cw-muted);
  }
  .key {
    overflow-wrap: anywhere;
    font-weight: normal;
  }
  .narrow {
    display: none;
  }
  .small {
    font-size: 0.875em;
  }
  ul.runs {
    list-style: none;
    padding: 0;
    margin: 0;
  }
  ul.runs li {
    border: 1px solid var(--cw-border);
    border-radius: var(--cw-radius);
    padding: 0.5rem 0.75rem;
    margin: 0 0 0.5rem;
  }
  .toasts {
    position: fixed;
    right: 1rem;
    bottom: 1rem;
    display: grid;
    gap: 0.5rem;
    z-index: 10;
    max-width: min(24rem, calc(100vw - 2rem));
    pointer-events: none;
  }
  .toast {
    background: var(--cw-fg);
    color: var(--cw-bg);
    padding: 0.6rem 0.9rem;
    border-radius: var(--cw-radius);
    border: 1px solid var(--cw-border);
  }
  /* One column on phones: the table keeps File and Status, the rest moves into the file cell. */
  @container (max-width: 36rem) {
    th,
    td {
      padding: 0.35rem 0.25rem;
    }
    .wide {
      display: none;
    }
    .narrow {
      display: inline;
    }
  }
`
