import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { DOCS_CSP, type DocsAssetName, type DocsAssets } from '#src/app/routes/docs/docs.handlers.js'
import type { Env } from '#src/config/env.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp } from '../../../support/app.js'

/** An asset source in memory that counts what it is asked for. */
const assetsInMemory = (files: Partial<Record<DocsAssetName, string | Uint8Array>>) => {
  const asked: string[] = []
  const assets: DocsAssets = async (name) => {
    asked.push(name)
    return files[name] ?? null
  }
  return { assets, asked }
}

const appWith = (docsAssets: DocsAssets | undefined, env: Env = {}) =>
  testApp({ env, store: new MemoryStore({ users: [], holodules: [] }), docsAssets }).app

const FILES = {
  'swagger-ui.css': '.swagger-ui{}',
  'swagger-ui-bundle.js': 'window.SwaggerUIBundle=function(){}',
  'favicon-32x32.png': new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
}

describe('GET /docs', () => {
  it('serves the page with no inline script, under a CSP that allows only its own scripts and styles', async () => {
    const app = appWith(assetsInMemory(FILES).assets)
    const res = await app.request('/docs')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'text/html; charset=utf-8')
    const csp = res.headers.get('content-security-policy') ?? ''
    assert.equal(csp, DOCS_CSP)
    assert.match(csp, /script-src 'self'(;|$)/)
    assert.match(csp, /style-src 'self'(;|$)/)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
    const html = await res.text()
    assert.match(html, /<script src="\/docs\/swagger-ui-bundle\.js"><\/script>/)
    assert.match(html, /<script src="\/docs\/init\.js"><\/script>/)
    assert.match(html, /data-url="\/openapi\.json"/)
    assert.doesNotMatch(html, /<script>|<style|style=|https?:\/\//, 'nothing inline, nothing from elsewhere')
  })

  it('gives the page, its files and their 304s the protections a browser acts on for a page', async () => {
    const app = appWith(assetsInMemory(FILES).assets)
    const page = await app.request('/docs')
    const etag = page.headers.get('etag') ?? ''
    for (const res of [
      page,
      await app.request('/docs', { headers: { 'If-None-Match': etag } }),
      await app.request('/docs/init.js'),
      await app.request('/docs/swagger-ui-bundle.js'),
      await app.request('/docs/swagger-ui.css'),
    ]) {
      const what = `${res.status} ${res.headers.get('content-type')}`
      assert.equal(res.headers.get('content-security-policy'), DOCS_CSP, what)
      assert.equal(res.headers.get('x-frame-options'), 'DENY', what)
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', what)
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', what)
      // HSTS is the TLS terminator's (deploy/nginx), here as on the JSON answers.
      assert.equal(res.headers.get('strict-transport-security'), null, what)
      // The wire headers are added as on any answer.
      assert.equal(res.headers.get('access-control-allow-origin'), '*', what)
      assert.match(res.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/, what)
      await res.body?.cancel()
    }
    assert.equal(page.status, 200)
    // The page's protections stay on the page: the document it reads is a JSON answer like any other.
    const json = await app.request('/openapi.json')
    assert.equal(json.headers.get('content-security-policy'), null)
    assert.equal(json.headers.get('referrer-policy'), null)
  })

  it("serves Swagger UI's files from the injected source with their types, reading each once", async () => {
    const { assets, asked } = assetsInMemory(FILES)
    const app = appWith(assets)
    for (const [path, type, body] of [
      ['/docs/swagger-ui.css', 'text/css; charset=utf-8', FILES['swagger-ui.css']],
      ['/docs/swagger-ui-bundle.js', 'text/javascript; charset=utf-8', FILES['swagger-ui-bundle.js']],
    ] as const) {
      for (let i = 0; i < 2; i++) {
        const res = await app.request(path)
        assert.equal(res.status, 200, path)
        assert.equal(res.headers.get('content-type'), type)
        assert.equal(res.headers.get('cache-control'), 'public, max-age=3600')
        assert.equal(await res.text(), body)
      }
    }
    const icon = await app.request('/docs/favicon-32x32.png')
    assert.equal(icon.headers.get('content-type'), 'image/png')
    assert.deepEqual(new Uint8Array(await icon.arrayBuffer()), FILES['favicon-32x32.png'])
    assert.deepEqual(asked, ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png'])
  })

  it('serves its own init script as a file, and answers 304 to a matching If-None-Match', async () => {
    const app = appWith(assetsInMemory(FILES).assets)
    const res = await app.request('/docs/init.js')
    assert.equal(res.status, 200)
    assert.equal(res.headers.get('content-type'), 'text/javascript; charset=utf-8')
    assert.equal(res.headers.get('cache-control'), 'no-cache')
    assert.match(await res.text(), /SwaggerUIBundle\(/)
    const etag = res.headers.get('etag')
    assert.match(etag ?? '', /^"[0-9a-f]{24}"$/)
    const again = await app.request('/docs/init.js', { headers: { 'If-None-Match': `"x", ${etag}` } })
    assert.equal(again.status, 304)
    assert.equal(await again.text(), '')
    const other = await app.request('/docs/init.js', { headers: { 'If-None-Match': '"x"' } })
    assert.equal(other.status, 200)
  })

  it('answers 404 for any other file, a file the source lacks, and never asks the source for it', async () => {
    const { assets, asked } = assetsInMemory({ 'swagger-ui.css': 'x' })
    const app = appWith(assets)
    for (const path of [
      '/docs/index.html',
      '/docs/package.json',
      '/docs/..%2Fpackage.json',
      '/docs/swagger-ui-bundle.js',
    ]) {
      const res = await app.request(path)
      assert.equal(res.status, 404, path)
      assert.deepEqual(await res.json(), { error: 'Not found' })
    }
    assert.deepEqual(asked, ['swagger-ui-bundle.js'])
  })

  it('reads a file again after a failed read, and answers that failure as the app answers errors', async () => {
    let fail = true
    const app = appWith(async () => {
      if (fail) throw new Error('EIO')
      return 'body{}'
    })
    assert.equal((await app.request('/docs/swagger-ui.css')).status, 500)
    fail = false
    const res = await app.request('/docs/swagger-ui.css')
    assert.equal(res.status, 200)
    assert.equal(await res.text(), 'body{}')
  })

  it('answers another method as the app answers one: 405 on the page, 404 on an unknown file', async () => {
    const app = appWith(assetsInMemory(FILES).assets)
    assert.equal((await app.request('/docs', { method: 'POST' })).status, 405)
    assert.equal((await app.request('/docs/swagger-ui.css', { method: 'DELETE' })).status, 405)
    assert.equal((await app.request('/docs/other.js', { method: 'POST' })).status, 404)
  })

  it('redirects /docs/ to /docs', async () => {
    const res = await appWith(assetsInMemory(FILES).assets).request('/docs/')
    assert.equal(res.status, 301)
    assert.equal(res.headers.get('location'), '/docs')
  })

  it('is absent under DOCS=off, and where the entry hands in no assets (Workers)', async () => {
    for (const app of [appWith(assetsInMemory(FILES).assets, { DOCS: 'off' }), appWith(undefined)]) {
      for (const path of ['/docs', '/docs/', '/docs/init.js', '/docs/swagger-ui.css']) {
        const res = await app.request(path)
        assert.equal(res.status, 404, path)
        assert.deepEqual(await res.json(), { error: 'Not found' })
      }
    }
  })
})
