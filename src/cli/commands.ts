import type { Command } from './context.js'
import { holodulesImport } from './import-command.js'
import { userAdd, userList, userPasswd, userRm } from './user-commands.js'

const dbInit: Command = {
  args: [],
  summary: 'create the indexes the API relies on (idempotent)',
  help: 'holodules.datetime, holodules.key (unique) and users.username (unique). The server also creates them at start-up.',
  async run(_input, ctx) {
    const store = await ctx.store()
    await store.ensureIndexes()
    ctx.io.stdout.write(
      `indexes ready in ${ctx.mongoConfig().db}: holodules.datetime, holodules.key (unique), users.username (unique)\n`,
    )
  },
}

/** Every command, keyed by the words that invoke it; one line adds one. */
export const COMMANDS: Record<string, Command> = {
  'user add': userAdd,
  'user passwd': userPasswd,
  'user rm': userRm,
  'user list': userList,
  'holodules import': holodulesImport,
  'db init': dbInit,
}
