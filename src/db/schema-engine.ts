// Loads @prisma/schema-engine-wasm by instantiating its .wasm file ourselves. The package's entry
// imports the .wasm as an ES module, which needs Node's experimental wasm-module support and which
// jest's module loader cannot handle; the JS bindings alone plus WebAssembly.instantiate work in both.
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import * as bindings from '@prisma/schema-engine-wasm/schema_engine_bg'

let loading: Promise<typeof bindings.SchemaEngine> | undefined

export function loadSchemaEngine(): Promise<typeof bindings.SchemaEngine> {
  loading ??= instantiate()
  return loading
}

async function instantiate(): Promise<typeof bindings.SchemaEngine> {
  const require = createRequire(import.meta.url)
  const bindingsFile = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg')
  const wasmFile = path.join(path.dirname(bindingsFile), 'schema_engine_bg.wasm')
  const { instance } = await WebAssembly.instantiate(await readFile(wasmFile), {
    './schema_engine_bg.js': withUnrefTimers(bindings as unknown as WebAssembly.ModuleImports),
  })
  bindings.__wbg_set_wasm(instance.exports)
  ;(instance.exports.__wbindgen_start as () => void)()
  // The engine reports Rust panics through this global; without it a panic hides its message.
  const globals = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: { set_message(message: string): void } }
  globals.PRISMA_WASM_PANIC_REGISTRY ??= {
    set_message: (message: string) => {
      throw new Error(`schema engine panicked: ${message}`)
    },
  }
  return bindings.SchemaEngine
}

/**
 * The engine races its database calls against 10 s timers it never clears, which would keep the
 * process (and jest) alive for 10 s after every migration. Unref'd timers still fire while the
 * process runs but no longer hold it open.
 */
function withUnrefTimers(imports: WebAssembly.ModuleImports): WebAssembly.ModuleImports {
  const patched: WebAssembly.ModuleImports = { ...imports }
  for (const name of Object.keys(imports).filter((key) => key.startsWith('__wbg_setTimeout_'))) {
    patched[name] = (callback: () => void, ms: number) => setTimeout(callback, ms >>> 0).unref()
  }
  return patched
}
