// Bundles the web component (ui/) into one ES module under dist/ui/, served at /ui/.
// Placeholder until ui/ exists: the UI work replaces this file.
import { existsSync } from 'node:fs'

if (!existsSync('ui/src/index.ts')) console.log('build-ui: no ui/src/index.ts yet, nothing to bundle')
