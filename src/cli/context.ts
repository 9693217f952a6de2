import type { MongoConfig } from '../config/config.js'
import type { Env } from '../config/env.js'
import type { Store } from '../store/store.js'

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
  /** One connection per run, opened on first use; runCli closes it. */
  store(): Promise<Store>
  /** Serves the Data API gateway until SIGTERM; injected by the entry (cli/main.ts), a layer above. */
  serveGateway(): Promise<void>
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

export interface Command {
  /** Names of the positional arguments, all required. */
  args: string[]
  summary: string
  /** Longer text for `--help`. */
  help?: string
  options?: Record<string, CommandOption>
  /** Said when there are too many arguments (e.g. a password typed on the command line). */
  tooManyArgsHint?: string
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
