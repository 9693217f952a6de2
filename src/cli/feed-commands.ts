// Calendar feeds from the command line: the same records as POST /feeds makes, GET /feeds lists and
// DELETE /feeds/{id} removes, for an operator who sets a feed up for a user (or revokes a leaked one).

import { MAX_FEEDS_PER_USER } from '../app/index.js'
import { hashFeedSecret, newFeedId, newFeedSecret } from '../auth/feed-secret.js'
import type { FeedRecord } from '../store/feeds.js'
import type { UserAccount } from '../store/records.js'
import { type CliContext, CliError, type Command, UsageError } from './context.js'
import { table } from './table.js'

// The app's bound on feeds per user holds here too: a feed the CLI makes is one the user can list
// and remove through the API, and a 21st from either side would leave the user unable to make one there.

/** As POST /feeds takes them (feedInputSchema): absent, or 1 to 200 characters. */
const FILTER_MAX = 200
const FILTERS = ['group', 'code', 'keyword'] as const

const account = async (ctx: CliContext, username: string): Promise<UserAccount> => {
  const found = await (await ctx.store()).findAccountByUsername(username)
  if (!found) throw new CliError(`user ${JSON.stringify(username)} does not exist`)
  return found
}

const filterOf = (flags: Record<string, string | boolean | undefined>) => {
  const filter = { group: null, code: null, keyword: null } as Record<(typeof FILTERS)[number], string | null>
  for (const name of FILTERS) {
    const value = flags[name]
    if (typeof value !== 'string') continue
    if (value === '') throw new UsageError(`feed add: --${name} is empty (leave it out to match any)`)
    if (value.length > FILTER_MAX)
      throw new UsageError(`feed add: --${name} is longer than ${FILTER_MAX} characters`)
    filter[name] = value
  }
  return filter
}

/** The server's public address as given: http(s), maybe a path prefix, no query; no trailing slash. */
const baseUrlOf = (value: string): string => {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new UsageError(`feed add: --base-url ${JSON.stringify(value)} is not an absolute URL`)
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.search || url.hash || url.username)
    throw new UsageError(
      'feed add: --base-url is the address calendar apps reach the server at, e.g. https://holodule.example.org',
    )
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

const ADD_HELP = `Makes a calendar feed for the user, as POST /feeds does with the user's token: the filters
are those of /schedules (absent: every stream). The feed's URL carries a secret that is printed
once and stored only as its SHA-256: keep it, or remove the feed and add another. With --base-url
the URL is whole; without it, the path, to be put after the server's public address. A user has at
most ${MAX_FEEDS_PER_USER} feeds, here as through the API.`

export const feedAdd: Command = {
  args: ['user'],
  summary: 'make a calendar feed for a user and print its secret URL, once',
  help: ADD_HELP,
  options: {
    group: { type: 'string', help: 'only this group (as /schedules?group=)' },
    code: { type: 'string', help: "only this streamer's code (as /schedules?code=)" },
    keyword: {
      type: 'string',
      help: 'only streams whose title, name or description has this (as /schedules?keyword=)',
    },
    'base-url': {
      type: 'string',
      help: 'the server as calendar apps reach it (e.g. https://holodule.example.org): print the whole URL',
    },
    json: {
      type: 'boolean',
      help: 'print POST /feeds\'s answer: {"id", "url", "group", "code", "keyword", "created"}',
    },
  },
  async run({ args, flags }, ctx) {
    const username = args[0] as string
    const filter = filterOf(flags)
    const base = typeof flags['base-url'] === 'string' ? baseUrlOf(flags['base-url']) : ''
    const user = await account(ctx, username)
    const feeds = await ctx.feeds()
    if ((await feeds.listFeeds(username)).length >= MAX_FEEDS_PER_USER)
      throw new CliError(
        `${username} has ${MAX_FEEDS_PER_USER} feeds already, the most allowed: remove one first ('feed list ${username}')`,
      )
    const secret = newFeedSecret()
    const feed: FeedRecord = {
      id: newFeedId(),
      username,
      userId: user.id,
      secretHash: await hashFeedSecret(secret),
      ...filter,
      created: new Date().toISOString(),
    }
    await feeds.addFeed(feed)
    const url = `${base}/calendar/${secret}.ics`
    const out = ctx.io.stdout
    if (flags.json) {
      out.write(`${JSON.stringify({ id: feed.id, url, ...filter, created: feed.created })}\n`)
      return
    }
    const what = FILTERS.filter((n) => filter[n] !== null).map((n) => `${n} ${filter[n]}`)
    out.write(`added feed ${feed.id} for ${username} (${what.join(', ') || 'every stream'})\n`)
    out.write(`${url}\n`)
    out.write(
      base
        ? "the URL is shown only now and is the feed's only credential: subscribe to it in the calendar app\n"
        : "the path is shown only now: put the server's public address before it (e.g. https://holodule.example.org/calendar/…), or pass --base-url\n",
    )
    if (user.disabled) out.write(`${username} is disabled: the feed answers 404 until 'user enable'\n`)
  },
}

/** Whether a feed answers: its user as it was when the feed was made, and enabled. */
const stateOf = (feed: FeedRecord, owner: UserAccount | undefined): string => {
  if (!owner || owner.id !== feed.userId) return 'orphaned'
  return owner.disabled ? 'user disabled' : 'live'
}

export const feedList: Command = {
  args: [],
  optionalArgs: ['user'],
  summary: "list a user's calendar feeds (every user's when none is named), never their secrets",
  help: `STATE is live, "user disabled" (answers 404 until 'user enable') or orphaned (its user was removed,
or removed and added again: answers 404; 'feed remove' it). Without a user, every existing user's
feeds; a removed user's are listed when it is named.`,
  options: {
    json: {
      type: 'boolean',
      help: 'print a JSON array of {"id", "username", "group", "code", "keyword", "created", "state"}',
    },
  },
  async run({ args, flags }, ctx) {
    const store = await ctx.store()
    const feeds = await ctx.feeds()
    const named = args[0]
    const owners: Array<{ username: string; o: UserAccount | undefined }> =
      named === undefined
        ? (await store.listAccounts()).map((o) => ({ username: o.username, o }))
        : [{ username: named, o: (await store.findAccountByUsername(named)) ?? undefined }]
    const found = await Promise.all(
      owners.map(async ({ username, o }) => (await feeds.listFeeds(username)).map((f) => ({ f, o }))),
    )
    // A removed user's feeds are still listed by name (orphaned), so that they can be removed.
    if (named !== undefined && !owners[0]?.o && found.flat().length === 0)
      throw new CliError(`user ${JSON.stringify(named)} does not exist`)
    const rows = found.flat().map(({ f, o }) => ({
      id: f.id,
      username: f.username,
      group: f.group,
      code: f.code,
      keyword: f.keyword,
      created: f.created,
      state: stateOf(f, o),
    }))
    const out = ctx.io.stdout
    if (flags.json) {
      out.write(`${JSON.stringify(rows)}\n`)
      return
    }
    const header = ['ID', 'USER', 'GROUP', 'CODE', 'KEYWORD', 'CREATED', 'STATE']
    const cell = (v: string | null) => v ?? '-'
    out.write(
      table([
        header,
        ...rows.map((r) => [
          r.id,
          r.username,
          cell(r.group),
          cell(r.code),
          cell(r.keyword),
          r.created,
          r.state,
        ]),
      ]),
    )
  },
}

export const feedRemove: Command = {
  args: ['user', 'id'],
  summary: 'revoke a calendar feed: its URL answers 404 at once',
  help: `The id is the one 'feed list' shows. The user is named as DELETE /feeds/{id} names it (by the
token): an id copied from the wrong line cannot revoke someone else's feed. Feeds of a removed user
are removed with the name it had.`,
  async run({ args }, ctx) {
    const [username, id] = args as [string, string]
    const feeds = await ctx.feeds()
    if (await feeds.removeFeed(username, id)) {
      ctx.io.stdout.write(`removed feed ${id} of ${username}; its URL answers 404 now\n`)
      return
    }
    await account(ctx, username)
    throw new CliError(`${username} has no feed ${JSON.stringify(id)} (see 'feed list ${username}')`)
  },
}
