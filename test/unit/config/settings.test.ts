import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSettings, redactSettings, SettingsError } from '../../../src/config/index.js'

let dir: string
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'settings-'))
})
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function settingsFile(text: string): string {
  const path = join(dir, `settings-${Math.random().toString(36).slice(2)}.yaml`)
  writeFileSync(path, text)
  return path
}

function errorOf(env: NodeJS.ProcessEnv): SettingsError {
  try {
    loadSettings(env)
  } catch (error) {
    if (error instanceof SettingsError) return error
    throw error
  }
  throw new Error('loadSettings accepted the settings')
}

describe('loadSettings defaults', () => {
  test('an empty environment gives the documented defaults', () => {
    const settings = loadSettings({})
    expect(settings).toMatchObject({
      port: 8080,
      host: '0.0.0.0',
      logLevel: 'info',
      publicUrl: 'http://localhost:8080',
      catalogFile: 'config/catalog.yaml',
      catalogWatch: true,
      pgliteDataDir: '.data/pglite',
      dbMigrateOnStart: true,
      httpBodyLimit: '1mb',
      httpRequestTimeoutSeconds: 30,
      httpHeadersTimeoutSeconds: 20,
      kubeNamespace: 'default',
      invenioRecordUrlTemplate: '{base}/api/records/{id}/draft',
      invenioTimeoutSeconds: 10,
      argoServerInsecureSkipVerify: false,
      fileTransfer: 'volume',
      volumeSize: '1Gi',
      pendingGraceSeconds: 30,
    })
    expect(settings.databaseUrl).toBeUndefined()
    expect(settings.argoServerUrl).toBeUndefined()
    expect(settings.kubeContext).toBeUndefined()
  })

  test('PUBLIC_URL defaults to localhost on the configured port', () => {
    expect(loadSettings({ PORT: '9000' }).publicUrl).toBe('http://localhost:9000')
  })

  test('an empty variable counts as unset', () => {
    expect(loadSettings({ PORT: '', DATABASE_URL: '' })).toMatchObject({ port: 8080, databaseUrl: undefined })
  })
})

describe('loadSettings parsing', () => {
  test('values are parsed into their types', () => {
    const settings = loadSettings({
      PORT: '3000',
      CATALOG_WATCH: 'no',
      LOG_LEVEL: 'DEBUG',
      PUBLIC_URL: 'https://files.example.org/',
      DATABASE_URL: 'postgresql://u:p@db:5432/fp',
      FILE_TRANSFER: 'artifacts',
      ARTIFACT_REPOSITORY_REF: 'artifact-repositories#minio',
      VOLUME_STORAGE_CLASS: 'fast.ssd',
      INVENIO_RECORD_URL_TEMPLATE: '{base}/api/experiments/{id}/draft',
    })
    expect(settings).toMatchObject({
      port: 3000,
      catalogWatch: false,
      logLevel: 'debug',
      publicUrl: 'https://files.example.org',
      databaseUrl: 'postgresql://u:p@db:5432/fp',
      fileTransfer: 'artifacts',
      artifactRepositoryRef: { configMap: 'artifact-repositories', key: 'minio' },
      volumeStorageClass: 'fast.ssd',
      invenioRecordUrlTemplate: '{base}/api/experiments/{id}/draft',
    })
  })

  test('a bad port names the key, the problem and the fix on one line', () => {
    const error = errorOf({ PORT: 'abc' })
    expect(error.message).toBe('PORT: "abc" is not a port number; set PORT to an integer between 1 and 65535')
    expect(error.key).toBe('PORT')
  })

  test.each([
    ['PORT', '70000', 'is not a port number'],
    ['LOG_LEVEL', 'loud', 'one of fatal, error, warn, info, debug, trace, silent'],
    ['CATALOG_WATCH', 'maybe', 'true or false'],
    ['PUBLIC_URL', 'files.example.org', 'http(s) URL'],
    ['PUBLIC_URL', 'ftp://files.example.org', 'scheme ftp:'],
    ['KUBE_NAMESPACE', 'Not_A_Label', 'DNS-1123 label'],
    ['HTTP_BODY_LIMIT', 'lots', 'size such as 100kb'],
    ['HTTP_REQUEST_TIMEOUT_SECONDS', '0', 'between 1 and 3600'],
    ['FILE_TRANSFER', 's3', 'one of volume, artifacts'],
    ['VOLUME_SIZE', '1GB', 'such as 500Mi or 1Gi'],
    ['INVENIO_RECORD_URL_TEMPLATE', '{base}/api/records/draft', 'has no {id}'],
    ['INVENIO_RECORD_URL_TEMPLATE', '{base}/api/{model}/{id}', 'unknown placeholder {model}'],
    ['INVENIO_USER_CHECK_PATH', 'api/me', 'starting with /'],
    ['ARTIFACT_REPOSITORY_REF', 'a#b#c', '<configmap>#<key>'],
    ['PENDING_GRACE_SECONDS', '1.5', 'whole number of seconds'],
  ])('%s=%s is refused with a one-line message', (key, value, fragment) => {
    const error = errorOf({ [key]: value })
    expect(error.key).toBe(key)
    expect(error.message.startsWith(`${key}: `)).toBe(true)
    expect(error.message).toContain(`; set ${key} to `)
    expect(error.message).toContain(fragment)
    expect(error.message).not.toContain('\n')
  })

  test('secret values never appear in errors', () => {
    const error = errorOf({ DATABASE_URL: 'mysql://root:hunter2@db/fp' })
    expect(error.message).not.toContain('hunter2')
    expect(error.message).toContain('(hidden, secret)')
    expect(error.message).toContain('set DATABASE_URL to')
  })

  test('values with newlines stay on one line', () => {
    expect(errorOf({ PORT: '80\n80' }).message).not.toContain('\n')
  })

  test('the headers timeout may not exceed the request timeout', () => {
    const error = errorOf({ HTTP_REQUEST_TIMEOUT_SECONDS: '10', HTTP_HEADERS_TIMEOUT_SECONDS: '20' })
    expect(error.message).toContain('set HTTP_HEADERS_TIMEOUT_SECONDS to at most 10')
  })

  test('redactSettings hides secrets that are set and only those', () => {
    const settings = loadSettings({ INVENIO_SERVICE_TOKEN: 's3cret', DATABASE_URL: 'postgres://a:b@c/d' })
    const safe = redactSettings(settings)
    expect(JSON.stringify(safe)).not.toContain('s3cret')
    expect(safe.databaseUrl).toBe('[redacted]')
    expect(safe.argoServerToken).toBeUndefined()
    expect(safe.port).toBe(8080)
  })
})

describe('SETTINGS_FILE', () => {
  test('the file overrides defaults and the environment overrides the file', () => {
    const path = settingsFile('PORT: 9100\nLOG_LEVEL: warn\nCATALOG_WATCH: false\nKUBE_CONTEXT: ~\n')
    const settings = loadSettings({ SETTINGS_FILE: path, LOG_LEVEL: 'error' })
    expect(settings).toMatchObject({ port: 9100, logLevel: 'error', catalogWatch: false, settingsFile: path })
    expect(settings.kubeContext).toBeUndefined()
  })

  test('a bad value from the file says it came from the file', () => {
    const path = settingsFile('PORT: eighty\n')
    expect(errorOf({ SETTINGS_FILE: path }).message).toBe(
      `PORT: "eighty" (from ${path}) is not a port number; set PORT to an integer between 1 and 65535`,
    )
  })

  test('an unknown key is refused with its line', () => {
    const path = settingsFile('PORT: 9100\nPROT: 9200\n')
    const error = errorOf({ SETTINGS_FILE: path })
    expect(error.message).toContain(`${path}:2:1`)
    expect(error.message).toBe(
      `PROT: ${path}:2:1: not a setting that can be set in the file; did you mean PORT?`,
    )
  })

  test('a key far from every setting, or SETTINGS_FILE itself, gets a plain fix', () => {
    const unknown = settingsFile('COLOUR_SCHEME: dark\n')
    expect(errorOf({ SETTINGS_FILE: unknown }).message).toContain('remove it or check its spelling')
    const nested = settingsFile('SETTINGS_FILE: other.yaml\n')
    expect(errorOf({ SETTINGS_FILE: nested }).message).toContain(
      'set SETTINGS_FILE in the environment instead',
    )
  })

  test('broken YAML is refused with its position', () => {
    const path = settingsFile('PORT: [1,\n')
    const error = errorOf({ SETTINGS_FILE: path })
    expect(error.key).toBe('SETTINGS_FILE')
    expect(error.message).toMatch(
      new RegExp(`^SETTINGS_FILE: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `),
    )
    expect(error.message).not.toContain('\n')
  })

  test('a missing file is refused', () => {
    expect(errorOf({ SETTINGS_FILE: join(dir, 'nope.yaml') }).message).toContain('cannot be read (ENOENT)')
  })

  test('nested values are refused', () => {
    const path = settingsFile('PORT:\n  value: 1\n')
    expect(errorOf({ SETTINGS_FILE: path }).message).toContain('is not a single value')
  })

  test('a secret from the file is not shown', () => {
    const path = settingsFile('DATABASE_URL: "http://user:topsecret@db/x"\n')
    expect(errorOf({ SETTINGS_FILE: path }).message).not.toContain('topsecret')
  })
})
