// Invenio assigns a file's mimetype from its name's extension only, never from its content, so a
// Gaussian `.log` is application/octet-stream. The table follows what Invenio (Python's mimetypes
// plus a few chemistry types) answers for the extensions compchem users upload.

const byExtension: Record<string, string> = {
  txt: 'text/plain',
  md: 'text/markdown',
  csv: 'text/csv',
  html: 'text/html',
  htm: 'text/html',
  xml: 'application/xml',
  json: 'application/json',
  yaml: 'application/yaml',
  yml: 'application/yaml',
  pdf: 'application/pdf',
  zip: 'application/zip',
  gz: 'application/gzip',
  tar: 'application/x-tar',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  svg: 'image/svg+xml',
  xyz: 'chemical/x-xyz',
  pdb: 'chemical/x-pdb',
  cif: 'chemical/x-cif',
  mol: 'chemical/x-mdl-molfile',
  sdf: 'chemical/x-mdl-sdfile',
  // Program outputs without a registered type: Gaussian/ORCA logs, GROMACS run inputs, cubes.
  log: 'application/octet-stream',
  out: 'application/octet-stream',
  tpr: 'application/octet-stream',
  gro: 'application/octet-stream',
  mdp: 'application/octet-stream',
  top: 'application/octet-stream',
  chk: 'application/octet-stream',
  fchk: 'application/octet-stream',
  cube: 'application/octet-stream',
}

export const DEFAULT_MIMETYPE = 'application/octet-stream'

/** The mimetype Invenio gives a file named `key` (the part after the last '/' and the last '.'). */
export function mimetypeFor(key: string): string {
  const name = key.slice(key.lastIndexOf('/') + 1)
  const dot = name.lastIndexOf('.')
  if (dot <= 0) return DEFAULT_MIMETYPE
  return byExtension[name.slice(dot + 1).toLowerCase()] ?? DEFAULT_MIMETYPE
}
