import type { RequestIdVariables } from 'hono/request-id'
import type { UserRecord } from '../store/store.js'

/** What middleware hand to handlers through `c.var`. */
export interface AppEnv {
  Variables: RequestIdVariables & {
    user: UserRecord
  }
}
