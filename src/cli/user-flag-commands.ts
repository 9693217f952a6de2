// A user's flags: `admin` (may write schedules, streamers and users through the third generation's
// routes) and `disabled` (refused by every generation). One verb per change, as `user passwd` and
// `user rm`: each reads as what it does, and there is no combination of options to get wrong.
import type { AccountChange } from '../store/records.js'
import { type CliContext, CliError, type Command, UsageError } from './context.js'

const CACHE_NOTE = 'a running server sees it within USER_CACHE_TTL'

/** Finds the user by name and changes what is given; says whether anything changed. */
const change = async (ctx: CliContext, username: string, what: AccountChange) => {
  const store = await ctx.store()
  const before = await store.findAccountByUsername(username)
  if (!before) throw new CliError(`user ${JSON.stringify(username)} does not exist`)
  const unchanged = Object.entries(what).every(([k, v]) => before[k as 'admin' | 'disabled'] === v)
  if (unchanged) return false
  if (!(await store.updateAccount(before.id, what)))
    throw new CliError(`user ${JSON.stringify(username)} does not exist`)
  return true
}

export const userAdmin: Command = {
  args: ['name', 'on|off'],
  summary: 'let a user write schedules, streamers and users (on) or not (off)',
  help: 'Sets "admin": true or false on the user. Admins may POST, PUT and DELETE /schedules, /streamers and /users; anyone else gets 403.',
  async run({ args }, ctx) {
    const [username, value] = args as [string, string]
    if (value !== 'on' && value !== 'off')
      throw new UsageError(`user admin: expects on or off, not ${JSON.stringify(value)}`)
    const changed = await change(ctx, username, { admin: value === 'on' })
    const now = value === 'on' ? 'an admin' : 'not an admin'
    ctx.io.stdout.write(
      changed ? `${username} is ${now} now; ${CACHE_NOTE}\n` : `${username} is ${now} already\n`,
    )
  },
}

export const userDisable: Command = {
  args: ['name'],
  summary: 'refuse a user everywhere (logins and tokens of every generation), keeping the record',
  help: `Sets "disabled": true, the 2024 service's flag: /auth, /login and /token answer as for a wrong
password, and the user's tokens stop working (${CACHE_NOTE}). 'user enable' undoes it.`,
  async run({ args }, ctx) {
    const username = args[0] as string
    const changed = await change(ctx, username, { disabled: true })
    ctx.io.stdout.write(
      changed ? `disabled ${username}; ${CACHE_NOTE}\n` : `${username} is disabled already\n`,
    )
  },
}

export const userEnable: Command = {
  args: ['name'],
  summary: 'let a disabled user log in again',
  help: 'Sets "disabled": false; the password and the tokens issued before are as they were.',
  async run({ args }, ctx) {
    const username = args[0] as string
    const changed = await change(ctx, username, { disabled: false })
    ctx.io.stdout.write(changed ? `enabled ${username}; ${CACHE_NOTE}\n` : `${username} is enabled already\n`)
  },
}
