import { BSON } from 'mongodb'
import {
  createPasswordVerifier,
  DEFAULT_PASSWORD_ITERATIONS,
  isPasswordHash,
  parseHash,
} from '../auth/password.js'
import type { ActionRequest } from './envelope.js'
import { isObject } from './envelope.js'
import { forbidden } from './errors.js'

/**
 * The two writes of `users` a key may be granted by name instead of `readWrite` (issue 19, item 3:
 * with plain `updateOne`, a leaked Worker key set a 1-iteration hash of its own password on any user,
 * or `$rename`d the password away):
 *
 * - `upgradePassword`: the Worker's one login write, a legacy plain-text password replaced by its
 *   hash (src/store/data-api/users.ts updatePasswordHash). The filter is the user and the exact value
 *   read; the update `$set`s the password alone, to PBKDF2-SHA256 at the policy's iterations or more;
 *   and the gateway checks that the new hash is of the plain text it replaces, so the write cannot
 *   choose a password. A stored hash is never replaced through it: nothing in the request proves the
 *   new hash is of the same password (the servers, with the driver, rewrite weaker hashes; the Worker
 *   logs in on them as they are).
 * - `updateUser`: the third generation's admin `PATCH /users/{id}` through the Worker
 *   (src/store/data-api/accounts.ts updateAccount): by `_id` only, `$set` of the account's fields
 *   (names, `disabled`, `admin`, and a new password as a hash at the policy's strength with the
 *   time of its change).
 *
 * Neither may upsert. Anything else that updates `users` needs `readWrite` (the CLI's user commands).
 */
export type UserWrite = 'upgradePassword' | 'updateUser'

/** The policy's floor for a hash written now: the config refuses PASSWORD_PBKDF2_ITERATIONS below it. */
const POLICY_ITERATIONS = DEFAULT_PASSWORD_ITERATIONS

const refuse = (grant: UserWrite, why: string) => forbidden(`${grant} allows ${why}`)

type Update = Extract<ActionRequest, { action: 'updateOne' }>

/** The `$set` document of an update that is `$set` and nothing else. */
const setOnly = (req: Update, grant: UserWrite): Record<string, unknown> => {
  const keys = Object.keys(req.update)
  const set = req.update.$set
  if (keys.length !== 1 || !isObject(set)) throw refuse(grant, 'an update of $set only')
  return set
}

/** A PBKDF2-SHA256 hash at the policy's iterations or more (the only hash the app writes). */
const checkNewHash = (grant: UserWrite, value: unknown): string => {
  const parsed = typeof value === 'string' ? parseHash(value) : null
  if (!parsed || parsed.iterations < POLICY_ITERATIONS)
    throw refuse(grant, `a password only as a PBKDF2-SHA256 hash of ${POLICY_ITERATIONS} iterations or more`)
  return value as string
}

const verifier = createPasswordVerifier(POLICY_ITERATIONS, 'accept')

const checkUpgrade = async (req: Update): Promise<void> => {
  const grant = 'upgradePassword'
  const filter = req.filter ?? {}
  const names = Object.keys(filter).sort().join(',')
  const { username, password: old } = filter
  if (names !== 'password,username' || typeof username !== 'string' || typeof old !== 'string')
    throw refuse(grant, 'a filter of the user name and the password value read, both strings, only')
  const set = setOnly(req, grant)
  if (Object.keys(set).join(',') !== 'password') throw refuse(grant, 'a $set of the password alone')
  const hash = checkNewHash(grant, set.password)
  if (isPasswordHash(old))
    throw refuse(grant, 'replacing plain text only: a stored hash is rewritten with the driver, not here')
  // The plain text being replaced is in the filter: the new hash must be of it.
  if (!(await verifier.verify(old, hash)).ok)
    throw refuse(grant, 'a hash of the plain-text password it replaces only')
}

const ACCOUNT_FIELDS: Record<string, (v: unknown) => boolean> = {
  firstname: (v) => v === null || typeof v === 'string',
  lastname: (v) => v === null || typeof v === 'string',
  disabled: (v) => typeof v === 'boolean',
  admin: (v) => typeof v === 'boolean',
  password_changed_at: (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0,
  password: () => true,
}

const checkAccount = (req: Update): void => {
  const grant = 'updateUser'
  const filter = req.filter ?? {}
  if (Object.keys(filter).join(',') !== '_id' || !(filter._id instanceof BSON.ObjectId))
    throw refuse(grant, 'a filter of the user’s _id (an ObjectId) only')
  const set = setOnly(req, grant)
  for (const [field, value] of Object.entries(set)) {
    const ok = ACCOUNT_FIELDS[field]
    if (!ok?.(value))
      throw refuse(grant, `$set of ${Object.keys(ACCOUNT_FIELDS).join(', ')} only, each of its type`)
  }
  if ('password' in set) checkNewHash(grant, set.password)
}

/** Resolves when the request is the write the grant names; a 403 saying what it allows otherwise. */
export const checkUserWrite = async (grant: UserWrite, req: ActionRequest): Promise<void> => {
  if (req.action !== 'updateOne') throw refuse(grant, 'updateOne only')
  if (req.upsert) throw refuse(grant, 'no upsert')
  if (grant === 'upgradePassword') await checkUpgrade(req)
  else checkAccount(req)
}
