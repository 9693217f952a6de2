import { Hono } from 'hono'
import { type Store, StoreUnavailableError } from '../../../store/store.js'
import type { AppEnv } from '../../env.js'
import { sendJson, serviceUnavailable } from '../../responses.js'

export const healthRoutes = (store: Pick<Store, 'ping'>) =>
  new Hono<AppEnv>()
    .get('/healthz', (c) => sendJson(c, { status: 'ok' }, 200))
    .get('/readyz', async (c) => {
      try {
        await store.ping()
      } catch (e) {
        if (e instanceof StoreUnavailableError) return serviceUnavailable(c)
        throw e
      }
      return sendJson(c, { status: 'ready' }, 200)
    })
