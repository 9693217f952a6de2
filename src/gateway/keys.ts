import { timingSafeEqual } from '../lib/timing-safe-equal.js'
import { DB_NAME_PATTERN } from '../store/store.js'

export const READ_ACTIONS = ['findOne', 'find', 'aggregate'] as const
export const WRITE_ACTIONS = [
  'insertOne',
  'insertMany',
  'updateOne',
  'updateMany',
  'replaceOne',
  'deleteOne',
  'deleteMany',
] as const
export const ACTIONS = [...READ_ACTIONS, ...WRITE_ACTIONS] as const
export type Action = (typeof ACTIONS)[number]

export const isAction = (name: string): name is Action => (ACTIONS as readonly string[]).includes(name)

/** The writes of `users` granted by name (user-writes.ts): what the Worker's login and /users send. */
export const USER_WRITES = ['upgradePassword', 'updateUser'] as const

/** The collection whose updates plain `updateOne` does not grant (src/store/data-api/context.ts). */
export const USERS_COLLECTION = 'users'

/**
 * What a grant may allow: an action, `upsert` (an updateOne, updateMany or replaceOne with
 * `upsert: true` creates a document, so it needs this besides the action), one of USER_WRITES, or
 * `anyUserUpdate`: what `readWrite` alone gives, any update or replace of `users`.
 */
export type Permission = Action | 'upsert' | (typeof USER_WRITES)[number] | 'anyUserUpdate'

/** Updates that rewrite a user's password as the caller likes: on `users`, only `readWrite` grants them. */
export const USER_UPDATE_ACTIONS: readonly Action[] = ['updateOne', 'updateMany', 'replaceOne']

/** One namespace a key may touch: `collection` `*` means every collection of the database. */
export interface Grant {
  database: string
  collection: string
  actions: ReadonlySet<Permission>
}

export interface ApiKey {
  /** A label for logs; the key itself is never logged. */
  name: string
  digest: Uint8Array
  grants: Grant[]
}

export const KEY_PATTERN = /^[A-Za-z0-9_.~-]{32,256}$/
const NAME_PATTERN = /^[A-Za-z0-9_-]{1,64}$/
const COLLECTION_PATTERN = /^(\*|[A-Za-z0-9_-][A-Za-z0-9_.-]{0,119})$/

const sha256 = async (text: string): Promise<Uint8Array> =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)))

const isUserWrite = (part: string): part is (typeof USER_WRITES)[number] =>
  (USER_WRITES as readonly string[]).includes(part)

const parseAccess = (access: string, collection: string): Set<Permission> | string => {
  const actions = new Set<Permission>()
  for (const part of access.split('+')) {
    if (part === 'read') for (const a of READ_ACTIONS) actions.add(a)
    else if (part === 'readWrite')
      for (const a of [...ACTIONS, 'upsert' as const, 'anyUserUpdate' as const]) actions.add(a)
    else if (collection === USERS_COLLECTION && USER_UPDATE_ACTIONS.includes(part as Action))
      // It once let a leaked Worker key set any password hash (issue 19, item 3): say what to grant.
      return `${part} is not granted on users by name: upgradePassword (the Worker's login), updateUser (its admin /users writes) or readWrite`
    else if (isAction(part) || part === 'upsert') actions.add(part)
    else if (isUserWrite(part) && (collection === USERS_COLLECTION || collection === '*')) actions.add(part)
    else if (isUserWrite(part)) return `${part} is granted on ${USERS_COLLECTION} only`
    else
      return `unknown access ${JSON.stringify(part)} (read, readWrite, an action name, upsert, upgradePassword or updateUser)`
  }
  return actions
}

interface RawKey {
  name: string
  key: string
  allow: Record<string, string>
}

const checkRaw = async (raw: RawKey, where: string, errors: string[]): Promise<ApiKey | null> => {
  const before = errors.length
  if (!NAME_PATTERN.test(raw.name)) errors.push(`${where}: name must be letters, digits, _ or - (1-64)`)
  if (!KEY_PATTERN.test(raw.key))
    errors.push(`${where}: key must be 32-256 characters of A-Z a-z 0-9 _ . ~ -`)
  const grants: Grant[] = []
  const entries = Object.entries(raw.allow)
  if (entries.length === 0) errors.push(`${where}: allows nothing`)
  for (const [ns, access] of entries) {
    const dot = ns.indexOf('.')
    const database = ns.slice(0, dot)
    const collection = ns.slice(dot + 1)
    if (dot < 1 || !DB_NAME_PATTERN.test(database) || !COLLECTION_PATTERN.test(collection)) {
      errors.push(`${where}: ${JSON.stringify(ns)} is not database.collection or database.*`)
      continue
    }
    const actions = parseAccess(access, collection)
    if (typeof actions === 'string') errors.push(`${where} ${ns}: ${actions}`)
    else grants.push({ database, collection, actions })
  }
  if (errors.length > before) return null
  return { name: raw.name, digest: await sha256(raw.key), grants }
}

/** `name:key@db.coll=access,db.coll=access;name2:…` → raw entries, or an error message. */
const parseCompact = (text: string): RawKey[] | string => {
  const out: RawKey[] = []
  for (const entry of text
    .split(/[;\n]/)
    .map((e) => e.trim())
    .filter(Boolean)) {
    const m = /^([^:@]+):([^@]+)@(.+)$/.exec(entry)
    if (!m) return `entry ${out.length + 1} is not name:key@db.collection=access[,…]`
    const allow: Record<string, string> = {}
    for (const grant of (m[3] as string).split(',')) {
      const [ns, access] = grant.trim().split('=')
      if (!ns || !access)
        return `entry ${out.length + 1} (${m[1]}): grant ${JSON.stringify(grant)} is not db.collection=access`
      allow[ns] = access
    }
    out.push({ name: m[1] as string, key: m[2] as string, allow })
  }
  return out
}

const parseJson = (text: string): RawKey[] | string => {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return 'not valid JSON'
  }
  if (!Array.isArray(data)) return 'the JSON form must be an array of {name, key, allow}'
  const out: RawKey[] = []
  for (const [i, item] of data.entries()) {
    const e = item as Partial<Record<keyof RawKey, unknown>> | null
    const allow = e?.allow
    if (
      typeof e?.name !== 'string' ||
      typeof e.key !== 'string' ||
      typeof allow !== 'object' ||
      allow === null ||
      Array.isArray(allow) ||
      !Object.values(allow).every((v) => typeof v === 'string')
    )
      return `entry ${i + 1} must be {"name": string, "key": string, "allow": {"db.collection": "access"}}`
    out.push({ name: e.name, key: e.key, allow: allow as Record<string, string> })
  }
  return out
}

/**
 * DATA_API_KEYS, in either form (documented in .env.example):
 *   JSON:    [{"name": "worker", "key": "…", "allow": {"holoduledb.users": "findOne+upgradePassword"}}]
 *   compact: worker:<key>@holoduledb.holodules=find+findOne,holoduledb.users=findOne+upgradePassword,holoduledb.login_attempts=findOne+updateOne+upsert+deleteOne;admin:<key>@holoduledb.*=readWrite
 * Access is `read` (findOne, find, aggregate), `readWrite` (every action and upsert), action names,
 * `upsert`, and on `users` `upgradePassword` and `updateUser`, joined by `+`. `findOne` alone cannot
 * list a collection (filters.ts); `upsert` lets updateOne, updateMany and replaceOne create
 * documents; updates of `users` are `readWrite`'s or the two named writes' (user-writes.ts).
 * Errors name the entry, never the key.
 */
export const parseApiKeys = async (
  text: string,
): Promise<{ ok: true; keys: ApiKey[] } | { ok: false; errors: string[] }> => {
  const trimmed = text.trim()
  const raws = trimmed.startsWith('[') ? parseJson(trimmed) : parseCompact(trimmed)
  if (typeof raws === 'string') return { ok: false, errors: [`DATA_API_KEYS: ${raws}`] }
  if (raws.length === 0) return { ok: false, errors: ['DATA_API_KEYS: no key configured'] }
  const errors: string[] = []
  const keys: ApiKey[] = []
  for (const [i, raw] of raws.entries()) {
    const key = await checkRaw(raw, `DATA_API_KEYS entry ${i + 1} (${raw.name})`, errors)
    if (key) keys.push(key)
  }
  const names = keys.map((k) => k.name)
  const dup = names.find((n, i) => names.indexOf(n) !== i)
  if (dup) errors.push(`DATA_API_KEYS: the name ${JSON.stringify(dup)} is used twice`)
  const digests = keys.map((k) => Array.from(k.digest).join(','))
  if (new Set(digests).size !== digests.length) errors.push('DATA_API_KEYS: the same key is listed twice')
  return errors.length > 0 ? { ok: false, errors } : { ok: true, keys }
}

/**
 * Finds the key a request presents. Digests have one length, and every configured key is compared
 * without stopping early, so the time taken says nothing about which key or how much of it matched.
 */
export const authenticate = async (keys: readonly ApiKey[], presented: string): Promise<ApiKey | null> => {
  const digest = await sha256(presented)
  let found: ApiKey | null = null
  for (const key of keys) {
    if (timingSafeEqual(digest, key.digest) && found === null) found = key
  }
  return found
}

export const isAllowed = (key: ApiKey, action: Permission, database: string, collection: string): boolean =>
  key.grants.some(
    (g) =>
      g.database === database &&
      (g.collection === '*' || g.collection === collection) &&
      g.actions.has(action),
  )

/** May this key touch the namespace at all? Distinguishes 403 "not yours" from 403 "read-only". */
export const canRead = (key: ApiKey, database: string, collection: string): boolean =>
  READ_ACTIONS.some((a) => isAllowed(key, a, database, collection))

/**
 * May this key read every document of the namespace? What a $lookup, $graphLookup or $unionWith
 * into it does; a key with `findOne` alone may not.
 */
export const canReadAll = (key: ApiKey, database: string, collection: string): boolean =>
  isAllowed(key, 'find', database, collection) || isAllowed(key, 'aggregate', database, collection)
