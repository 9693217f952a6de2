import { createRequire } from 'node:module'
import { parseArgs } from 'node:util'
import { type MongoConfig, mongoEnv, parseMongoConfig } from '../config/config.js'
import { type Env, withoutEmpty } from '../config/env.js'
import { DuplicateUserError, StoreUnavailableError } from '../store/errors.js'
import type { MongoStore } from '../store/mongo/mongo-store.js'
import { COMMANDS } from './commands.js'
import {
  type CliContext,
  CliError,
  type CliIo,
  type Command,
  type CommandInput,
  type CommandOption,
  ENV_VARIABLES,
  type EnvVariable,
  UsageError,
} from './context.js'
import { redactDetail, redactUri } from './redact.js'

export { redactDetail, redactUri }

/** The package's version: package.json sits two folders up from src/cli and from dist/cli alike. */
const VERSION = (createRequire(import.meta.url)('../../package.json') as { version: string }).version

/** The variables a command reads, one line each, as its --help shows them. */
const environment = (names: readonly EnvVariable[]): string => {
  const width = Math.max(...names.map((n) => n.length))
  return ['Environment:', ...names.map((n) => `  ${n.padEnd(width)}  ${ENV_VARIABLES[n]}`)].join('\n')
}
const DATABASE_ENV: readonly EnvVariable[] = ['MONGODB_URI', 'MONGODB_DB']
const MAIN_ENV: readonly EnvVariable[] = [...DATABASE_ENV, 'SCHEDULE_LAYOUT', 'PASSWORD_PBKDF2_ITERATIONS']

/** The positional arguments as --help shows them: `<name>`, and `[<name>]` when optional. */
const argsUsage = (c: Command): string[] => [
  ...c.args.map((a, i) => `<${a}>${c.variadic && i === c.args.length - 1 ? '...' : ''}`),
  ...(c.optionalArgs ?? []).map((a) => `[<${a}>]`),
]

const commandList = (entries: Array<[string, Command]>): string => {
  const usages = entries.map(([name, c]) => [name, ...argsUsage(c)].join(' '))
  const width = Math.max(...usages.map((u) => u.length))
  return entries.map(([, c], i) => `  ${(usages[i] as string).padEnd(width)}  ${c.summary}`).join('\n')
}

const mainHelp = (): string =>
  `Usage: holodule <command> [options]

Manages the holodule-api database: users and the stream schedule.

Commands:
${commandList(Object.entries(COMMANDS))}

${environment(MAIN_ENV)}

Run 'holodule <command> --help' for the details of one command, 'holodule -v' (--version) for the version.
`

const commandHelp = (name: string, command: Command): string => {
  const options: Record<string, CommandOption> = {
    ...command.options,
    help: { type: 'boolean', short: 'h', help: 'show this help' },
  }
  const flags = Object.entries(options).map(([long, o]) => [
    `${o.short ? `-${o.short}, ` : '    '}--${long}${o.type === 'string' ? ' <value>' : ''}`,
    o.help,
  ])
  const width = Math.max(...flags.map(([f]) => (f as string).length))
  return [
    `Usage: holodule ${[name, ...argsUsage(command)].join(' ')}${command.options ? ' [options]' : ''}`,
    '',
    `${command.summary.charAt(0).toUpperCase()}${command.summary.slice(1)}.`,
    ...(command.help ? ['', command.help] : []),
    '',
    'Options:',
    ...flags.map(([f, h]) => `  ${(f as string).padEnd(width)}  ${h}`),
    '',
    environment(command.env ?? DATABASE_ENV),
    '',
  ].join('\n')
}

/** The command whose words start argv, longest first, so `user` and `user add` could coexist. */
const findCommand = (argv: string[]): { name: string; command: Command; rest: string[] } | undefined => {
  const names = Object.keys(COMMANDS).sort((a, b) => b.split(' ').length - a.split(' ').length)
  for (const name of names) {
    const words = name.split(' ')
    if (words.every((w, i) => argv[i] === w))
      return { name, command: COMMANDS[name] as Command, rest: argv.slice(words.length) }
  }
  return undefined
}

const parseInput = (name: string, command: Command, rest: string[]): CommandInput | 'help' => {
  let parsed: ReturnType<typeof parseArgs>
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    })
  } catch (e) {
    // Node's messages run on with advice about `--`; the first sentence is the useful part, in
    // the tool's lowercase style ("Unknown option" → "unknown option").
    const sentence = (e as Error).message.split('. ')[0] ?? ''
    const first = sentence.charAt(0).toLowerCase() + sentence.slice(1)
    throw new UsageError(`${name}: ${first}; see 'holodule ${name} --help'`)
  }
  if (parsed.values.help) return 'help'
  const { positionals } = parsed
  const expected = argsUsage(command).join(' ') || 'no arguments'
  if (positionals.length < command.args.length)
    throw new UsageError(`${name}: expects ${expected}; see 'holodule ${name} --help'`)
  if (!command.variadic && positionals.length > command.args.length + (command.optionalArgs?.length ?? 0))
    throw new UsageError(
      `${name}: expects ${expected}${command.tooManyArgsHint ? `; ${command.tooManyArgsHint}` : ''}`,
    )
  const flags: CommandInput['flags'] = {}
  for (const [k, v] of Object.entries(parsed.values)) if (typeof v !== 'object') flags[k] = v
  return { args: positionals, flags }
}

const dispatch = async (argv: string[], ctx: CliContext): Promise<number> => {
  const { stdout } = ctx.io
  const first = argv[0]
  if (first === undefined) throw new UsageError("no command given; see 'holodule --help'")
  if (first === '--help' || first === '-h' || first === 'help') {
    stdout.write(mainHelp())
    return 0
  }
  // -v as well as -V: what `node -v`, `npm -v` and `bun -v` answer to (issue 21, item 8).
  if (first === '--version' || first === '-v' || first === '-V' || first === 'version') {
    stdout.write(`holodule ${VERSION}\n`)
    return 0
  }
  const match = findCommand(argv)
  if (!match) {
    const group = Object.entries(COMMANDS).filter(([name]) => name.startsWith(`${first} `))
    if (group.length === 0) throw new UsageError(`unknown command '${first}'; see 'holodule --help'`)
    if (argv[1] === '--help' || argv[1] === '-h') {
      stdout.write(`Usage: holodule ${first} <command>\n\nCommands:\n${commandList(group)}\n`)
      return 0
    }
    const names = group.map(([name]) => name.slice(first.length + 1)).join(', ')
    const what = argv[1] === undefined ? 'needs a subcommand' : `has no subcommand '${argv[1]}'`
    throw new UsageError(`${first} ${what} (one of: ${names})`)
  }
  const input = parseInput(match.name, match.command, match.rest)
  if (input === 'help') {
    stdout.write(commandHelp(match.name, match.command))
    return 0
  }
  const result = await match.command.run(input, ctx)
  return typeof result === 'number' ? result : 0
}

/**
 * The server's 10 s socket timeout suits requests, not a batch of upserts on a slow server;
 * an unreachable database still fails fast through server selection (2 s).
 */
const CLI_CLIENT_OPTIONS = { socketTimeoutMS: 300_000, appName: 'holodule-cli' }

/** Errors of the name lookup or the connection, which the driver can let through unwrapped (SRV). */
const UNREACHABLE_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ETIMEDOUT', 'ECONNRESET'])
const isUnreachable = (e: unknown): boolean =>
  e instanceof StoreUnavailableError ||
  UNREACHABLE_CODES.has(String((e as { code?: unknown } | null)?.code)) ||
  (e instanceof Error && /^query(Srv|Txt) /.test(e.message))

const describe = (e: unknown, config: MongoConfig | undefined): string => {
  if (e instanceof CliError || e instanceof DuplicateUserError) return e.message
  const uri = config?.uri ?? ''
  const where = config ? `${config.source} (${redactUri(config.uri)})` : 'MONGODB_URI'
  const detail = redactDetail(e instanceof Error ? e.message : String(e), uri)
  if (isUnreachable(e)) return `cannot reach the database at ${where}: ${detail}`
  // By name: the driver is loaded only when a command needs the database.
  if (e instanceof Error && e.name.startsWith('Mongo')) return `database error at ${where}: ${detail}`
  return detail
}

/**
 * Runs one command line and returns the exit code: 0 ok, 1 error, 2 usage, others as a command
 * documents. Failures are one line on stderr, without a stack unless HOLODULE_DEBUG is set.
 */
export const runCli = async (
  argv: string[],
  io: CliIo,
  env: Env,
  servers: Pick<CliContext, 'serveGateway'> = {
    serveGateway: () => Promise.reject(new CliError('this build of holodule cannot serve the gateway')),
  },
  /** Stores in place of the database's, for tests: then nothing is opened, nor closed. */
  stores: Partial<Pick<CliContext, 'store' | 'feeds' | 'loginCounters'>> = {},
): Promise<number> => {
  let config: MongoConfig | undefined
  let store: MongoStore | undefined
  const ctx: CliContext = {
    env,
    io,
    ...servers,
    mongoConfig() {
      if (config) return config
      const parsed = parseMongoConfig(env)
      if (!parsed.ok) throw new CliError(parsed.errors.join('; '))
      config = parsed.config
      return config
    },
    layoutSetting() {
      // Checked with the rest of the database settings (config's mongoEnv picks it).
      ctx.mongoConfig()
      return mongoEnv.shape.SCHEDULE_LAYOUT.parse(withoutEmpty(env).SCHEDULE_LAYOUT)
    },
    async store() {
      if (store) return store
      const { uri, db, source } = ctx.mongoConfig()
      const mongo = await import('../store/mongo/mongo-store.js')
      try {
        store = mongo.MongoStore.connect(uri, db, CLI_CLIENT_OPTIONS, undefined, ctx.layoutSetting())
      } catch (e) {
        throw new CliError(
          `${source}: not a usable connection string (${redactDetail((e as Error).message, uri)})`,
        )
      }
      return store
    },
    async feeds() {
      await ctx.store()
      if (!store) throw new CliError('no database for the calendar feeds')
      return store.feeds()
    },
    async loginCounters() {
      await ctx.store()
      if (!store) throw new CliError('no database for the login counters')
      return (await import('./login-commands.js')).mongoLoginCounters(store)
    },
    ...stores,
  }
  try {
    return await dispatch(argv, ctx)
  } catch (e) {
    io.stderr.write(`holodule: ${describe(e, config)}\n`)
    if (env.HOLODULE_DEBUG && e instanceof Error) io.stderr.write(`${e.stack}\n`)
    return e instanceof CliError ? e.exitCode : 1
  } finally {
    await store?.close().catch(() => {})
  }
}
