import type { Command } from './context.js'
import { feedAdd, feedList, feedRemove } from './feed-commands.js'
import { holodulesList, holodulesRemove } from './holodule-commands.js'
import { holodulesImport } from './import-command.js'
import { loginUnblock } from './login-commands.js'
import { schedulesImport, streamersImport, streamersList } from './schedule-commands.js'
import { status } from './status-command.js'
import { userAdd, userList, userMigratePasswords, userPasswd, userRm } from './user-commands.js'
import { userAdmin, userDisable, userEnable } from './user-flag-commands.js'

const dbInit: Command = {
  args: [],
  summary: 'create the indexes the API relies on (idempotent)',
  help: 'holodules.datetime, holodules.key (unique), users.username (unique), schedules.streaming_at, schedules.code+streaming_at, streamers.group+code, streamers.code, feeds.username+created and the login counters (login_attempts: key unique, expire TTL). The server also creates them at start-up, and retries until the database answers.',
  async run(_input, ctx) {
    const store = await ctx.store()
    await store.ensureIndexes()
    ctx.io.stdout.write(
      `indexes ready in ${ctx.mongoConfig().db}: holodules.datetime, holodules.key (unique), users.username (unique), feeds.username+created, login_attempts (TTL)\n`,
    )
  },
}

const dataApi: Command = {
  args: [],
  summary: 'serve the Data API gateway the Worker reaches MongoDB through',
  help: 'Runs until SIGTERM or SIGINT, then finishes the requests in flight. See README, "At the edge", and docs/data-api.md.',
  env: [
    'MONGODB_URI',
    'DATA_API_KEYS',
    'DATA_API_HOST',
    'DATA_API_PORT',
    'DATA_API_DATA_SOURCE',
    'DATA_API_BODY_LIMIT',
    'DATA_API_MAX_DOCUMENTS',
    'DATA_API_MAX_TIME_MS',
    'DATA_API_MAX_RESPONSE_BYTES',
    'LOG_LEVEL',
  ],
  run: (_input, ctx) => ctx.serveGateway(),
}

/** Every command, keyed by the words that invoke it; one line adds one. */
export const COMMANDS: Record<string, Command> = {
  'user add': userAdd,
  'user passwd': userPasswd,
  'user rm': userRm,
  'user list': userList,
  'user admin': userAdmin,
  'user disable': userDisable,
  'user enable': userEnable,
  'user migrate-passwords': userMigratePasswords,
  'login unblock': loginUnblock,
  status,
  'holodules import': holodulesImport,
  'holodules list': holodulesList,
  'holodules remove': holodulesRemove,
  'schedules import': schedulesImport,
  'streamers import': streamersImport,
  'streamers list': streamersList,
  'feed add': feedAdd,
  'feed list': feedList,
  'feed remove': feedRemove,
  'db init': dbInit,
  'data-api': dataApi,
}
