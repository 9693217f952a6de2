/**
 * Where and how every bench process runs: the checkout, the CPU split between servers and load,
 * the Bun binary, this Node's engine name, and the secret every server under test signs with.
 */
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const require = createRequire(import.meta.url)

export const SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz'

// The load generator keeps CPU 0 and each server gets CPU 1, so neither starves the other.
export const SERVER_CPUS = '1'
export const LOADGEN_CPUS = '0'

export const bunBinary = (): string => join(dirname(require.resolve('bun/package.json')), 'bin', 'bun.exe')

/** The machine's Node as an engine name, e.g. node20. */
export const hostNodeEngine = `node${process.versions.node.split('.')[0]}`
