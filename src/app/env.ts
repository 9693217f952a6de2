import type { RequestIdVariables } from 'hono/request-id'
import type { UserRecord } from '../store/records.js'
import type { WireHeaders } from './responses.js'

/**
 * Which generation of the old service's clients a request belongs to: 1 Flask-JWT (2020), 2
 * Flask-JWT-Extended (2023), 3 FastAPI (2024). One word for it everywhere: `Generations` in
 * AppConfig says which are served, AUTH_GENERATIONS sets it, the typed client's `generation` speaks one.
 */
export type Generation = 1 | 2 | 3

/** What middleware hand to handlers through `c.var`. */
export interface AppEnv {
  Variables: RequestIdVariables & {
    user: UserRecord
    /** Set by jwtRequired from the scheme word; the handler answers in that generation's shape. */
    generation: Generation
    /** How this request's answers get the headers every answer carries (middleware/wire-headers.ts). */
    wireHeaders: WireHeaders
    /** The answer `respond` built last, which has them already. */
    answered: Response
  }
}
