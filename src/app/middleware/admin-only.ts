import { createMiddleware } from 'hono/factory'
import type { AppEnv } from '../env.js'
import { sendJson } from '../responses.js'

/**
 * After the third generation's guard: only a user whose record has `"admin": true` (set with the
 * CLI) goes on. Improved: the 2024 service let every logged-in user write every collection and
 * list every password hash.
 */
export const adminOnly = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.get('user').admin) return sendJson(c, { message: 'Not allowed' }, 403)
  await next()
})
