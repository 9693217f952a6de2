import type { Env } from './env.js'

/**
 * ENV_FILE: which file of variables the Node and Bun servers read at start. Unset: `.env` of the
 * working directory when there is one (Bun's habit, now Node's too); a path: that file, which must
 * exist; `off`: none (the tests, and systemd units, whose EnvironmentFile= is the one source).
 */
export type EnvFileSetting = { path: string; required: boolean } | null

export const DEFAULT_ENV_FILE = '.env'

export const envFileSetting = (env: Env): EnvFileSetting => {
  const value = env.ENV_FILE?.trim() ?? ''
  if (value === 'off') return null
  if (value === '') return { path: DEFAULT_ENV_FILE, required: false }
  return { path: value, required: true }
}

/**
 * Adds the file's variables to `env` where the environment has none: the real environment wins,
 * an empty value set there included (as Bun, Node's --env-file and systemd's Environment= do).
 * ENV_FILE itself is never taken from the file. Returns the names it added.
 */
export const mergeEnvFile = (env: Env, fromFile: Env): string[] => {
  const added: string[] = []
  for (const [name, value] of Object.entries(fromFile)) {
    if (value === undefined || name === 'ENV_FILE' || Object.hasOwn(env, name)) continue
    env[name] = value
    added.push(name)
  }
  return added
}
