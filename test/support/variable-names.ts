import { readFileSync } from 'node:fs'
import { mongoEnv, serverEnv } from '#src/config/config.js'
import { gatewayEnv } from '#src/config/gateway-config.js'
import { workerEnv } from '#src/config/worker-config.js'

/**
 * The variables as the config schemas declare them, for the tests that hold the example files, the
 * README and the CLI's --help to them (test/integration/variable-lists.test.ts,
 * test/integration/named-in-docs.test.ts).
 */

/** A file of the checkout, by its path from the root. */
export const readRepoFile = (path: string): string =>
  readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8')

export const names = (schema: { shape: object }): string[] => Object.keys(schema.shape)

/** Read before any schema: ENV_FILE before the file is merged, WORKERS by the cluster supervisor. */
export const OUTSIDE_THE_SCHEMAS = {
  ENV_FILE: 'src/config/env-file.ts',
  WORKERS: 'src/runtime/node/cluster.ts',
}

/** The Node and Bun servers' variables. */
export const serverVariables = (): string[] => names(serverEnv)
/** The Data API gateway's own variables (it also reads MONGODB_URI and LOG_LEVEL). */
export const gatewayVariables = (): string[] => names(gatewayEnv)
/** What the database commands of the CLI read. */
export const mongoVariables = (): string[] => names(mongoEnv)
/** A Worker's bindings: its own (DATA_API_*) and the server's, less where to listen. */
export const workerVariables = (): string[] => [
  ...names(workerEnv),
  ...names(serverEnv).filter((n) => n !== 'PORT' && n !== 'HOST'),
]

/** `NAME=value` lines, commented-out ones (`# NAME=`, `#NAME=`) included. */
export const assignedNames = (text: string): string[] =>
  [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] as string)

/** Names in `listed` and not in `expected`, and the other way round. */
export const difference = (listed: string[], expected: string[]) => ({
  missing: expected.filter((n) => !listed.includes(n)),
  unknown: listed.filter((n) => !expected.includes(n)),
})
