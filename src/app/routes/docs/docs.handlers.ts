import type { Context } from 'hono'

/** The files of swagger-ui-dist the page loads; nothing else is ever asked of the asset source. */
export const DOCS_ASSETS = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'favicon-32x32.png': 'image/png',
} as const
export type DocsAssetName = keyof typeof DOCS_ASSETS

/**
 * Where the page's vendor files come from: the Node and Bun entries read them from the installed
 * swagger-ui-dist package, so the app itself never touches a file system. `null`: not available.
 */
export type DocsAssets = (name: DocsAssetName) => Promise<string | Uint8Array | null>

/**
 * Everything the page needs is served from this origin, so scripts and styles are 'self' only (no
 * inline script, no eval, no CDN). Swagger UI's CSS draws its icons as data: SVGs; its "try it out"
 * calls whatever server the document names, so connect-src is any http(s) origin.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' http: https:",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Where the page finds the API description; the init script reads it from the page (data-url). */
export const OPENAPI_PATH = '/openapi.json'

/** The whole page: no inline script or style, so the CSP above holds without exceptions. */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>holodule-api reference</title>
<link rel="icon" type="image/png" href="/docs/favicon-32x32.png">
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-url="${OPENAPI_PATH}"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
`

/**
 * Swagger UI's start, as a file (an inline script would need 'unsafe-inline'). validatorUrl null:
 * the badge would call validator.swagger.io. The interceptor lets a user paste the bare token into
 * the `jwt` (apiKey) scheme too: Flask-JWT wants the word `JWT` before it, which is easy to forget.
 */
export const DOCS_INIT_JS = `'use strict'
window.addEventListener('load', function () {
  var root = document.getElementById('swagger-ui')
  var bareToken = /^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]*$/
  window.ui = SwaggerUIBundle({
    url: root.getAttribute('data-url'),
    dom_id: '#swagger-ui',
    deepLinking: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
    validatorUrl: null,
    requestInterceptor: function (request) {
      var auth = request.headers && request.headers.Authorization
      if (typeof auth === 'string' && bareToken.test(auth.trim())) {
        request.headers.Authorization = 'JWT ' + auth.trim()
      }
      return request
    },
  })
})
`

/** Small and tied to this build's page: revalidated each time (ETag), never served stale. */
const OWN_CACHE = 'no-cache'
/** Vendor files change only with the package: kept a while, then revalidated by ETag. */
const VENDOR_CACHE = 'public, max-age=3600'

export interface Served {
  body: string | Uint8Array
  contentType: string
  etag: string
  cacheControl: string
}

const etagOf = async (body: string | Uint8Array): Promise<string> => {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
  return `"${Array.from(digest.subarray(0, 12), (b) => b.toString(16).padStart(2, '0')).join('')}"`
}

export const servedOwn = async (body: string, contentType: string): Promise<Served> => ({
  body,
  contentType,
  etag: await etagOf(body),
  cacheControl: OWN_CACHE,
})

export const servedVendor = async (name: DocsAssetName, body: string | Uint8Array): Promise<Served> => ({
  body,
  contentType: DOCS_ASSETS[name],
  etag: await etagOf(body),
  cacheControl: VENDOR_CACHE,
})

/**
 * The protections a browser acts on for the page and its files (the JSON answers carry none of the
 * page-only ones: shared/contract.md, "Response headers"). Each, and why:
 *
 * - Content-Security-Policy: the page runs only its own scripts and styles, so an injected tag in
 *   anything the page renders (the document's descriptions) runs nothing; frame-ancestors 'none'.
 * - X-Frame-Options: DENY: frame-ancestors for browsers that predate it; nobody may frame the page
 *   and overlay its Authorize dialog (clickjacking a login).
 * - X-Content-Type-Options: nosniff: the scripts and the stylesheet run only under their declared
 *   types, and nothing is sniffed into HTML.
 * - Referrer-Policy: no-referrer: the page's "try it out" calls, and any link in the document's
 *   text, do not tell the server they reach where they came from (nothing here needs a Referer).
 *
 * The wire headers (middleware/wire-headers.ts) are added after the handler, as on any answer: the
 * CORS headers and X-Request-Id, and the same nosniff and DENY. No Strict-Transport-Security: the
 * TLS terminator sets it (deploy/nginx).
 */
const PAGE_PROTECTIONS = {
  'Content-Security-Policy': DOCS_CSP,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
} as const

/** One file with its type, validator and the page's protections; 304 when the client has it already. */
export const sendServed = (c: Context, served: Served): Response => {
  const headers: Record<string, string> = {
    'Content-Type': served.contentType,
    'Cache-Control': served.cacheControl,
    ETag: served.etag,
    ...PAGE_PROTECTIONS,
  }
  const given = c.req.header('If-None-Match')
  if (given?.split(',').some((t) => t.trim() === served.etag)) return c.body(null, 304, headers)
  return c.body(served.body as string, 200, headers)
}
