import { HOLODULES, SECRET, seedUsers } from '#harness/fixtures.js'
import { type App, type AppConfig, type AppDeps, createApp } from '#src/app/index.js'
import { HASH_FLOORS } from '#src/auth/password.js'
import { parseConfig } from '#src/config/config.js'
import type { Env } from '#src/config/env.js'
import { type Clock, systemClock } from '#src/lib/clock.js'
import { createJsonLogger, type Logger, type LogLevel, silentLogger } from '#src/lib/logger.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import type { HoloduleRecord } from '#src/store/records.js'
import type { Store } from '#src/store/store.js'
import { toUserRecord } from '#src/store/users.js'

/**
 * One way for a test to build the app in process: createApp on a MemoryStore, with the config an
 * environment of `JWT_SECRET_KEY=SECRET` (harness/fixtures.ts) plus the test's own variables gives.
 * Every other dependency is createApp's own default unless the test passes it.
 */

/** The app's config from `{ JWT_SECRET_KEY: SECRET, ...env }`; throws on a config error. */
export const testConfig = (env: Env = {}): AppConfig => {
  const parsed = parseConfig({ JWT_SECRET_KEY: SECRET, ...env })
  if (!parsed.ok) throw new Error(parsed.errors.join('; '))
  return parsed.config.app
}

export interface TestAppOptions<S extends Store> extends Omit<Partial<AppDeps>, 'config' | 'store'> {
  /** Variables over `JWT_SECRET_KEY=SECRET`; ignored when `config` is given. */
  env?: Env
  config?: AppConfig
  /** Absent: an empty MemoryStore. */
  store?: S
  /**
   * Log JSON lines at this level into the returned `lines` (which turns on the access log at info
   * and below). Absent, and no `logger`: createApp's silent logger.
   */
  logLevel?: LogLevel
}

/** The app, and the config, store, clock, logger (and logged lines) it was built with. */
export const testApp = <S extends Store = MemoryStore>(options: TestAppOptions<S> = {}) => {
  const { env, logLevel, ...deps } = options
  const config = options.config ?? testConfig(env)
  const store = options.store ?? (new MemoryStore() as Store as S)
  const clock: Clock = options.clock ?? systemClock
  const lines: string[] = []
  const logger: Logger =
    options.logger ?? (logLevel ? createJsonLogger(logLevel, (line) => lines.push(line)) : silentLogger)
  const app: App = createApp({ ...deps, config, store, clock, logger })
  return { app, config, store, clock, logger, lines }
}

/** A clock that stands still at `start` (ms since the epoch) until the test moves it. */
export const testClock = (start = Date.UTC(2020, 11, 9, 12)): Clock & { advance(ms: number): void } => {
  let now = start
  return {
    now: () => now,
    advance: (ms) => {
      now += ms
    },
  }
}

/**
 * The fixture's users (hashed at `iterations`, and plain text) as the port's records, and its
 * holodules plus `extraHolodules`: what the contract expects a target to hold. By default the
 * cheapest hash a login accepts (HASH_FLOORS: a weaker one is refused as a wrong password).
 */
export const seededStore = async (
  iterations = HASH_FLOORS.pbkdf2Iterations,
  extraHolodules: HoloduleRecord[] = [],
) =>
  new MemoryStore({
    users: (await seedUsers(iterations)).flatMap((d) => toUserRecord(d) ?? []),
    holodules: [...HOLODULES, ...extraHolodules],
  })

/** A store whose every call fails the given way: for the 500 and 503 paths. */
export const failingStore = (error: () => Error): Store =>
  new Proxy({} as Store, {
    get: () => async () => {
      throw error()
    },
  })
