// `holodule login unblock` (issue 21, item 8): clears a login block the throttle set, by deleting
// its counters under the throttle's own keys (src/auth/login-throttle.ts: cut, userKey; addresses
// grouped by src/lib/address.ts's addressGroup, IPv6 by its /64). The record of addresses the user
// logged in from (`known`) is not a block and stays.
import { isIP } from 'node:net'
import { DEFAULT_THROTTLE_POLICY } from '../app/index.js'
import { cut, userKey } from '../auth/login-throttle.js'
import { addressGroup } from '../lib/address.js'
import { LOGIN_ATTEMPTS } from '../store/login-limiters.js'
import type { MongoStore } from '../store/mongo/mongo-store.js'
import { type Command, type LoginCounters, UsageError } from './context.js'

const escapeRegex = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** rate-limiter-flexible keeps each counter as a document `{key: "<prefix>:<key>"}` in login_attempts. */
export const mongoLoginCounters = (store: MongoStore): LoginCounters => ({
  // The points do not matter for reading and deleting; the prefixes are the policy's.
  limiters: store.loginLimiters()(DEFAULT_THROTTLE_POLICY),
  async groupsOf(username) {
    const docs = await store.db
      .collection(LOGIN_ATTEMPTS)
      .find(
        { key: { $regex: `^(consecutive|blocks):[^|]*\\|${escapeRegex(cut(username))}$` } },
        { projection: { key: 1 } },
      )
      .toArray()
    const groups = docs.map(
      (d) =>
        String(d.key)
          .replace(/^[a-z]+:/, '')
          .split('|')[0] as string,
    )
    return [...new Set(groups)]
  },
})

export const loginUnblock: Command = {
  args: ['name'],
  summary: "clear a user's login block: the failures counted for it, from one address or all",
  help: `Deletes the throttle's counts that name the user: its consecutive failures and blocks from each
address and the account limit's count over every address; or, with --address, its failures from
that address and the address's own count of the day (every user's failures from it). Its next login
is checked as a first one; a running server asks the database again within 10 s (it remembers a
block it read that long).`,
  options: {
    address: {
      type: 'string',
      help: 'only the failures from this client address (an IPv6 address counts as its /64)',
    },
  },
  async run({ args, flags }, ctx) {
    const username = args[0] as string
    const address = typeof flags.address === 'string' ? flags.address : undefined
    if (address !== undefined && isIP(address) === 0)
      throw new UsageError(
        `login unblock: --address must be an IPv4 or IPv6 address, not ${JSON.stringify(address)}`,
      )
    const { limiters, groupsOf } = await ctx.loginCounters()
    const groups = address === undefined ? await groupsOf(username) : [addressGroup(address)]
    const cleared: string[] = []
    // The account limit's count names the user alone: cleared when every address is.
    if (address === undefined && (await limiters.perUser.delete(cut(username))))
      cleared.push('the account limit')
    for (const group of groups) {
      const key = userKey(username, group)
      const [fails, blocks] = await Promise.all([
        limiters.consecutive.delete(key),
        limiters.blocks.delete(key),
      ])
      if (fails || blocks) cleared.push(`the failures from ${group}`)
    }
    const group = groups[0]
    if (address !== undefined && group !== undefined && (await limiters.perAddress.delete(group)))
      cleared.push(`the day's count of ${group}`)
    const who = JSON.stringify(username)
    ctx.io.stdout.write(
      cleared.length === 0
        ? `nothing to clear: no failures counted for ${who}${address === undefined ? '' : ` from ${address}`}\n`
        : `cleared ${cleared.join(', ')} for ${who}; a running server sees it within 10 s\n`,
    )
  },
}
