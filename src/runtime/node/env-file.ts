import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseEnv } from 'node:util'
import type { Env } from '../../config/env.js'
import { envFileSetting, mergeEnvFile } from '../../config/env-file.js'
import { exitOnConfigErrors } from './bootstrap.js'

export interface EnvFileRead {
  /** The file read, absolute. */
  file: string
  /** How many of its variables were taken (those the environment did not set). */
  variables: number
}

/**
 * Reads ENV_FILE (default `.env` in the working directory) into `env` before the config is parsed,
 * the same way on Node and Bun: Bun's own loading is off (bunfig.toml `env = false`), because it
 * also reads .env.local and .env.$NODE_ENV, which Node would not. Node's `util.parseEnv` is the
 * parser `--env-file` and `process.loadEnvFile` use; merging is ours so the environment wins on
 * every Node version. Null when nothing was read.
 */
export const loadEnvFile = (env: Env, cwd: string): EnvFileRead | null => {
  const setting = envFileSetting(env)
  if (setting === null) return null
  const file = resolve(cwd, setting.path)
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !setting.required) return null
    return exitOnConfigErrors([`ENV_FILE: cannot read ${file} (${code ?? (e as Error).message})`])
  }
  return { file, variables: mergeEnvFile(env, parseEnv(text)).length }
}
