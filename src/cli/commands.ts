import type { Command } from './context.js'
import { holodulesImport } from './import-command.js'
import { userAdd, userList, userMigratePasswords, userPasswd, userRm } from './user-commands.js'

const dbInit: Command = {
  args: [],
  summary: 'create the indexes the API relies on (idempotent)',
  help: 'holodules.datetime, holodules.key (unique), users.username (unique) and the login counters (login_attempts: key unique, expire TTL). The server also creates them at start-up, and retries until the database answers.',
  async run(_input, ctx) {
    const store = await ctx.store()
    await store.ensureIndexes()
    ctx.io.stdout.write(
      `indexes ready in ${ctx.mongoConfig().db}: holodules.datetime, holodules.key (unique), users.username (unique), login_attempts (TTL)\n`,
    )
  },
}

const dataApi: Command = {
  args: [],
  summary: 'serve the Data API gateway the Worker reaches MongoDB through',
  help: 'Reads MONGODB_URI, DATA_API_KEYS, DATA_API_PORT and the rest from the environment (see README, "At the edge"). Runs until SIGTERM or SIGINT.',
  run: (_input, ctx) => ctx.serveGateway(),
}

/** Every command, keyed by the words that invoke it; one line adds one. */
export const COMMANDS: Record<string, Command> = {
  'user add': userAdd,
  'user passwd': userPasswd,
  'user rm': userRm,
  'user list': userList,
  'user migrate-passwords': userMigratePasswords,
  'holodules import': holodulesImport,
  'db init': dbInit,
  'data-api': dataApi,
}
