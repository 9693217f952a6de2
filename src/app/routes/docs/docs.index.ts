import { Hono } from 'hono'
import type { AppEnv } from '../../env.js'
import { notFound } from '../../responses.js'
import {
  DOCS_ASSETS,
  DOCS_HTML,
  DOCS_INIT_JS,
  type DocsAssetName,
  type DocsAssets,
  type Served,
  sendServed,
  servedOwn,
  servedVendor,
} from './docs.handlers.js'

/**
 * GET /docs: Swagger UI over /openapi.json, every byte from this server. Each vendor file is read
 * once, on first request (a server that nobody asks for the page never loads 2 MB), and kept.
 */
export const docsRoutes = ({ assets }: { assets: DocsAssets }) => {
  const page = servedOwn(DOCS_HTML, 'text/html; charset=utf-8')
  const init = servedOwn(DOCS_INIT_JS, 'text/javascript; charset=utf-8')
  const vendor = new Map<DocsAssetName, Promise<Served | null>>()
  const load = (name: DocsAssetName) => {
    let found = vendor.get(name)
    if (!found) {
      found = assets(name).then((body) => (body === null ? null : servedVendor(name, body)))
      // A failed read is tried again on the next request rather than kept.
      found.catch(() => vendor.delete(name))
      vendor.set(name, found)
    }
    return found
  }

  const routes = new Hono<AppEnv>()
    .get('/docs', async (c) => sendServed(c, await page))
    .get('/docs/', (c) => c.redirect('/docs', 301))
    .get('/docs/init.js', async (c) => sendServed(c, await init))
  // One route per file, so any other path under /docs is unknown (404, not 405 for another method).
  for (const name of Object.keys(DOCS_ASSETS) as DocsAssetName[]) {
    routes.get(`/docs/${name}`, async (c) => {
      const served = await load(name)
      return served ? sendServed(c, served) : notFound(c)
    })
  }
  return routes
}
