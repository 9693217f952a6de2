import { MIN_PASSWORD_LENGTH } from '../app/index.js'
import { hashPassword, isLegacyPlaintext } from '../auth/password.js'
import { CliError, type Command } from './context.js'
import { readNewPassword } from './password-input.js'
import { table } from './table.js'

const PASSWORD_HINT =
  'the password is never taken from the command line: type it when asked, or pipe it on stdin'

const PASSWORD_HELP = `The password is asked for twice without echo when stdin is a terminal; otherwise the
first line of stdin is the password (e.g. from a secrets manager), never a command-line argument.
It must be at least ${MIN_PASSWORD_LENGTH} characters long (NIST SP 800-63B's minimum), as through /users.
It is stored as a PBKDF2-SHA256 hash (PASSWORD_PBKDF2_ITERATIONS, default 600000).`

/** The commands that write a hash read the iteration count too. */
const HASHING_ENV = ['MONGODB_URI', 'MONGODB_DB', 'PASSWORD_PBKDF2_ITERATIONS'] as const

const checkUsername = (name: string): string => {
  if (name === '') throw new CliError('the user name is empty')
  if (name.trim() !== name) throw new CliError('the user name starts or ends with a space')
  if (Array.from(name).some((ch) => (ch.codePointAt(0) ?? 0) < 0x20 || ch === '\u007f'))
    throw new CliError('the user name contains a control character')
  if (name.length > 256) throw new CliError('the user name is longer than 256 characters')
  return name
}

export const userAdd: Command = {
  args: ['name'],
  summary: 'add a user; the password is asked for or read from stdin',
  help: PASSWORD_HELP,
  tooManyArgsHint: PASSWORD_HINT,
  env: HASHING_ENV,
  async run({ args }, ctx) {
    const username = checkUsername(args[0] as string)
    const { passwordIterations } = ctx.mongoConfig()
    const store = await ctx.store()
    // Checked first so nobody types a password for a name that is taken (addUser checks again).
    if (await store.findUserByUsername(username))
      throw new CliError(
        `user ${JSON.stringify(username)} already exists (change its password with 'user passwd')`,
      )
    const password = await readNewPassword(ctx.io, username)
    // Its creation counts as a password change: a removed user's tokens under this name stay refused.
    const user = await store.addUser(username, await hashPassword(password, passwordIterations), Date.now())
    ctx.io.stdout.write(`added user ${username} (id ${user.id})\n`)
  },
}

export const userPasswd: Command = {
  args: ['name'],
  summary: "set a user's password",
  help: PASSWORD_HELP,
  tooManyArgsHint: PASSWORD_HINT,
  env: HASHING_ENV,
  async run({ args }, ctx) {
    const username = args[0] as string
    const { passwordIterations } = ctx.mongoConfig()
    const store = await ctx.store()
    const noSuchUser = () => new CliError(`user ${JSON.stringify(username)} does not exist`)
    if (!(await store.findUserByUsername(username))) throw noSuchUser()
    const password = await readNewPassword(ctx.io, username)
    const hash = await hashPassword(password, passwordIterations)
    if (!(await store.setPassword(username, hash, Date.now()))) throw noSuchUser()
    ctx.io.stdout.write(`password changed for ${username}; tokens issued before now are refused\n`)
  },
}

export const userRm: Command = {
  args: ['name'],
  summary: 'remove a user (its tokens stop working within USER_CACHE_TTL)',
  async run({ args }, ctx) {
    const username = args[0] as string
    const store = await ctx.store()
    if (!(await store.removeUser(username)))
      throw new CliError(`user ${JSON.stringify(username)} does not exist`)
    ctx.io.stdout.write(`removed user ${username}\n`)
  },
}

export const userList: Command = {
  args: [],
  summary: 'list users: ids, names and flags (admin, disabled), never password hashes',
  options: {
    json: { type: 'boolean', help: 'print a JSON array of {"id", "username", "admin", "disabled"}' },
  },
  async run({ flags }, ctx) {
    const store = await ctx.store()
    const [users, accounts] = await Promise.all([store.listUsers(), store.listAccounts()])
    const flagsOf = new Map(accounts.map((a) => [a.username, { admin: a.admin, disabled: a.disabled }]))
    const rows = users.map((u) => ({
      ...u,
      ...(flagsOf.get(u.username) ?? { admin: false, disabled: false }),
    }))
    const out = ctx.io.stdout
    if (flags.json) {
      out.write(`${JSON.stringify(rows)}\n`)
      return
    }
    const named = (r: (typeof rows)[number]) =>
      [r.admin ? 'admin' : '', r.disabled ? 'disabled' : ''].filter(Boolean).join(',')
    out.write(table([['ID', 'USERNAME', 'FLAGS'], ...rows.map((r) => [r.id, r.username, named(r)])]))
  },
}

export const userMigratePasswords: Command = {
  args: [],
  summary: 'hash every password still stored in plain text (safe to run again)',
  env: HASHING_ENV,
  help: `The old service stored passwords as plain text. Each such record is rewritten in place with a
PBKDF2-SHA256 hash of the text it holds, so the same password keeps working and nothing else about
the record changes (tokens stay valid: this is not a password change). A record changed meanwhile
(by a login that rehashed it, or user passwd) is left as it is. Then set LEGACY_PLAINTEXT_PASSWORDS=reject.`,
  async run(_input, ctx) {
    const { passwordIterations } = ctx.mongoConfig()
    const store = await ctx.store()
    let hashed = 0
    let already = 0
    for (const { username } of await store.listUsers()) {
      const user = await store.findUserByUsername(username)
      if (!user) continue
      if (!isLegacyPlaintext(user.password)) {
        already++
        continue
      }
      const hash = await hashPassword(user.password, passwordIterations)
      if (await store.updatePasswordHash(username, user.password, hash)) hashed++
      else already++
    }
    ctx.io.stdout.write(
      `hashed ${hashed} plain-text password${hashed === 1 ? '' : 's'}; ${already} already hashed\n` +
        'every record holds a hash now: set LEGACY_PLAINTEXT_PASSWORDS=reject\n',
    )
  },
}
