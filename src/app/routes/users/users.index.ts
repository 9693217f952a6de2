import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { hashPassword } from '../../../auth/password.js'
import { bodyLimit } from '../../../lib/body-limit.js'
import type { Clock } from '../../../lib/clock.js'
import { DuplicateUserError } from '../../../store/errors.js'
import type { Store } from '../../../store/store.js'
import type { AppEnv } from '../../env.js'
import { adminOnly } from '../../middleware/admin-only.js'
import { sendJson } from '../../responses.js'
import {
  createUserRoute,
  deleteUserRoute,
  getUserRoute,
  listUsersRoute,
  updateUserRoute,
} from './users.routes.js'

export interface UsersDeps {
  store: Store
  clock: Clock
  /** PBKDF2 iterations of a password an admin sets. */
  passwordIterations: number
  bearerRequired: MiddlewareHandler<AppEnv>
  /**
   * Drops a user from this process's cache of verified users, so a change made here (a password,
   * disabled) refuses the user's tokens at once rather than within USER_CACHE_TTL.
   */
  forgetUser: (username: string) => void
}

const missing = (c: Context, id: string) =>
  sendJson(c, { message: 'The entity does not exist', identifier: id }, 404)

/**
 * The 2024 service's `/users`, for admins only, and never with a password: it listed every hash to
 * every logged-in user. A password sent is stored hashed, and counts as a password change.
 */
export const userRoutes = ({ store, clock, passwordIterations, bearerRequired, forgetUser }: UsersDeps) => {
  const limit = bodyLimit({ maxSize: 16 * 1024, onError: (c) => sendJson(c, {}, 413) })
  const guard = [bearerRequired, adminOnly]
  const hook = (result: { success: boolean }, c: Context<AppEnv>) => {
    if (!result.success) return sendJson(c, {}, 422)
  }
  return new OpenAPIHono<AppEnv>()
    .openapi({ ...listUsersRoute, middleware: guard }, async (c) =>
      sendJson(c, { users: await store.listAccounts() }, 200),
    )
    .openapi(
      { ...getUserRoute, middleware: guard },
      async (c) => {
        const { id } = c.req.valid('param')
        const found = await store.findAccount(id)
        return found ? sendJson(c, found, 200) : missing(c, id)
      },
      hook,
    )
    .openapi(
      { ...createUserRoute, middleware: [...guard, limit] },
      async (c) => {
        const { username, password, ...rest } = c.req.valid('json')
        try {
          await store.addUser(username, await hashPassword(password, passwordIterations), clock.now())
        } catch (e) {
          if (!(e instanceof DuplicateUserError)) throw e
          return sendJson(c, { message: 'The entity already exists', identifier: username }, 409)
        }
        // A user of this name removed elsewhere (the CLI) may still be cached: its tokens end now.
        forgetUser(username)
        const added = await store.findAccountByUsername(username)
        const account = added && (await store.updateAccount(added.id, rest))
        // Removed again between the two calls: nothing to answer but what happened.
        if (!account) throw new Error('the user added was removed before it could be answered')
        return sendJson(c, account, 201)
      },
      hook,
    )
    .openapi(
      { ...updateUserRoute, middleware: [...guard, limit] },
      async (c) => {
        const { id } = c.req.valid('param')
        const { password, ...rest } = c.req.valid('json')
        const change =
          password === undefined
            ? rest
            : {
                ...rest,
                password: {
                  hash: await hashPassword(password, passwordIterations),
                  changedAtMs: clock.now(),
                },
              }
        const changed = await store.updateAccount(id, change)
        if (changed) forgetUser(changed.username)
        return changed ? sendJson(c, changed, 200) : missing(c, id)
      },
      hook,
    )
    .openapi(
      { ...deleteUserRoute, middleware: guard },
      async (c) => {
        const { id } = c.req.valid('param')
        const account = await store.findAccount(id)
        if (!account || !(await store.removeAccount(id))) return missing(c, id)
        forgetUser(account.username)
        return c.body(null, 204)
      },
      hook,
    )
}
