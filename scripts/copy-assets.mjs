// tsc does not copy non-TS files; the OpenAPI document and SQL migrations are read at run time.
import { cpSync, existsSync } from 'node:fs'

const assets = [['src/http/openapi.yaml', 'dist/http/openapi.yaml']]
for (const [from, to] of assets) if (existsSync(from)) cpSync(from, to)
