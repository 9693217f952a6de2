import type { LoginLimiters } from '../auth/login-throttle.js'
import type { MongoConfig } from '../config/config.js'
import type { Env } from '../config/env.js'
import type { FeedStore } from '../store/feeds.js'
import type { LayoutSetting, Store } from '../store/store.js'

export interface CliIo {
  stdin: NodeJS.ReadStream
  stdout: NodeJS.WriteStream
  stderr: NodeJS.WriteStream
}

export interface CliContext {
  env: Env
  io: CliIo
  /** The database settings; throws a CliError naming the variable when they are missing or bad. */
  mongoConfig(): MongoConfig
  /** SCHEDULE_LAYOUT as set (`auto` when not): what the store was told; `store.layout()` is what it uses. */
  layoutSetting(): LayoutSetting
  /** One connection per run, opened on first use; runCli closes it. */
  store(): Promise<Store>
  /** The calendar feeds on the same connection (MongoStore.feeds()), opened by the first use of either. */
  feeds(): Promise<FeedStore>
  /** The login throttle's counters on the same connection (`login unblock`). */
  loginCounters(): Promise<LoginCounters>
  /** Serves the Data API gateway until SIGTERM; injected by the entry (cli/main.ts), a layer above. */
  serveGateway(): Promise<void>
}

/** The login counters in the database, and which address groups hold counts of a user name. */
export interface LoginCounters {
  limiters: LoginLimiters
  groupsOf(username: string): Promise<string[]>
}

export interface CommandOption {
  type: 'boolean' | 'string'
  short?: string
  help: string
}

export interface CommandInput {
  args: string[]
  flags: Record<string, string | boolean | undefined>
}

/**
 * Every variable a command may read, with the line its --help gives it: the database's
 * (config's mongoEnv) and the Data API gateway's (gatewayEnv); test/unit/config/variables.test.ts
 * keeps them equal.
 */
export const ENV_VARIABLES = {
  MONGODB_URI:
    "mongodb://[user:password@]host[:port]/ (or the old service's MONGODB_HOST, MONGODB_USER, MONGODB_PASSWORD)",
  MONGODB_DB: 'database name (default holoduledb)',
  SCHEDULE_LAYOUT:
    'auto (default: schedules when that collection holds documents, else holodules), holodules or schedules',
  PASSWORD_PBKDF2_ITERATIONS: 'PBKDF2-SHA256 iterations for new password hashes (default 600000)',
  DATA_API_KEYS: 'the API keys and what each may do (docs/data-api.md); required',
  DATA_API_HOST: 'where it listens (default 127.0.0.1)',
  DATA_API_PORT: 'its port (default 8780)',
  DATA_API_DATA_SOURCE: 'the dataSource requests must name (default mongodb-atlas)',
  DATA_API_BODY_LIMIT: 'bytes accepted in one request body (default 1048576)',
  DATA_API_MAX_DOCUMENTS: 'most documents one find or aggregate returns (default 50000)',
  DATA_API_MAX_TIME_MS: 'maxTimeMS of every operation (default 5000)',
  DATA_API_MAX_RESPONSE_BYTES: 'most bytes one result may take (default 16777216)',
  LOG_LEVEL: 'debug, info, warn, error or silent (default info)',
} as const
export type EnvVariable = keyof typeof ENV_VARIABLES

export interface Command {
  /** Names of the positional arguments, all required. */
  args: string[]
  /** Names of positional arguments that may follow them (`feed list [user]`). */
  optionalArgs?: string[]
  /** The last argument may be given more than once (`holodules remove <key>...`). */
  variadic?: boolean
  summary: string
  /** Longer text for `--help`. */
  help?: string
  options?: Record<string, CommandOption>
  /** Said when there are too many arguments (e.g. a password typed on the command line). */
  tooManyArgsHint?: string
  /** The environment variables it reads, named in its --help. Absent: MONGODB_URI and MONGODB_DB. */
  env?: readonly EnvVariable[]
  /** A number is the exit code; anything else means 0. */
  run(input: CommandInput, ctx: CliContext): Promise<unknown>
}

/** A failure the user can act on: printed as one line, no stack. */
export class CliError extends Error {
  override name = 'CliError'
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message)
  }
}

export class UsageError extends CliError {
  override name = 'UsageError'
  constructor(message: string) {
    super(message, 2)
  }
}
