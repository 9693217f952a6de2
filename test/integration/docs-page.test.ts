import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { after, before, describe, it } from 'node:test'
import { type Browser, chromium, type Locator, type Page } from 'playwright-core'
import { japanDay } from '#src/store/memory/sample-data.js'
import { type EntryProcess, startEntry } from '../support/entry-process.js'
import { looksRendered, pngStats } from '../support/png.js'

/** Debian's chromium (scripts/test-deps.sh installs it); Playwright's own browser downloads are not used. */
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

const launch = (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) assert.fail('install chromium: apt-get install chromium')
  // A fresh temporary profile each launch (Playwright's default), removed on close.
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 })
}

/** The demo password the embedded server prints once listening. */
const demoPassword = async (server: EntryProcess): Promise<string> => {
  const deadline = Date.now() + 5000
  for (;;) {
    const found = /demo user: demo {2}password: (\S+)/.exec(server.output())
    if (found) return found[1] as string
    if (Date.now() > deadline) assert.fail(`no demo password printed:\n${server.output()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/** What a page does that the test must see: every request it sends, and every error it logs (CSP ones included). */
const watch = (page: Page) => {
  const requests: string[] = []
  const errors: string[] = []
  page.on('request', (r) => requests.push(r.url()))
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  return { requests, errors }
}

const operation = (page: Page, path: string, method?: 'get' | 'post'): Locator =>
  page
    .locator(method ? `.opblock.opblock-${method}` : '.opblock')
    .filter({ has: page.locator(`.opblock-summary-path[data-path="${path}"]`) })

/** Swagger UI's try-it-out: open the operation, fill it in, execute, read the live response. */
const tryItOut = async (op: Locator, fill: (op: Locator) => Promise<void>) => {
  await op.locator('.opblock-summary').click()
  await op.locator('button.try-out__btn').click()
  await fill(op)
  await op.locator('button.execute').click()
  const response = op.locator('.live-responses-table .response').first()
  await response.waitFor({ timeout: 15_000 })
  // The body's highlighted block; a request that never got an answer shows only a message instead.
  const pre = response.locator('.response-col_description pre')
  const body = (await pre.count()) > 0 ? pre.first() : response.locator('.response-col_description')
  return {
    status: (await response.locator('.response-col_status').textContent())?.trim(),
    body: (await body.textContent()) ?? '',
  }
}

/** The page's origin, and a second origin of the same server, for real cross-origin calls. */
const originsOf = (server: EntryProcess) => {
  const { port } = new URL(server.baseUrl)
  return { page: `http://127.0.0.1:${port}`, api: `http://localhost:${port}` }
}

const openDocs = async (browser: Browser, server: EntryProcess) => {
  const page = await browser.newPage()
  const seen = watch(page)
  const res = await page.goto(`${originsOf(server).page}/docs`, { timeout: 15_000 })
  assert.equal(res?.status(), 200)
  await page.locator('.opblock').first().waitFor({ timeout: 15_000 })
  return { page, seen }
}

/**
 * Points the document's server at the other origin, so every call the page makes is cross-origin,
 * with a preflight (JSON body, Authorization header) that the server must answer. Done in the page
 * (Swagger UI's updateSpec), not by routing: Playwright answers preflights itself while it routes.
 */
const callOtherOrigin = async (page: Page, server: EntryProcess) => {
  const doc = (await (await fetch(`${server.baseUrl}/openapi.json`)).json()) as Record<string, unknown>
  await page.evaluate(
    (text) => (window as unknown as SwaggerWindow).ui.specActions.updateSpec(text),
    JSON.stringify({ ...doc, servers: [{ url: originsOf(server).api }] }),
  )
  await page.locator('.servers select').waitFor({ timeout: 10_000 })
}

const logIn = (page: Page, password: string) =>
  tryItOut(operation(page, '/auth'), (op) =>
    op.locator('textarea.body-param__text').fill(JSON.stringify({ username: 'demo', password })),
  )

/** Authorize dialog: one scheme's value, then close. */
const authorize = async (page: Page, scheme: 'jwt (apiKey)' | '(http, Bearer)', value: string) => {
  await page.locator('.auth-wrapper button.authorize').click()
  const modal = page.locator('.modal-ux')
  // By its heading: a description may name another scheme (OAuth2's says `Authorization: Bearer`).
  const container = modal.locator('.auth-container').filter({ has: page.locator('h4', { hasText: scheme }) })
  await container.locator('input').fill(value)
  await container.locator('button.authorize').click()
  await modal.locator('button.btn-done').first().click()
}

const fetchDay = (page: Page, day: string) =>
  tryItOut(operation(page, '/holodules/{date}'), (op) =>
    op.locator('tr[data-param-name="date"] input').fill(day),
  )

describe('GET /docs in a real browser (Debian chromium, the Node entry)', { timeout: 120_000 }, () => {
  let server: EntryProcess
  let browser: Browser
  let password: string

  before(async () => {
    server = await startEntry('node', { LOG_LEVEL: 'info' })
    password = await demoPassword(server)
    browser = await launch()
  })
  after(async () => {
    await browser?.close()
    await server?.stop(2000)
  })

  const origins = () => originsOf(server)
  const open = () => openDocs(browser, server)

  it('shows both operations, loads everything from the server itself, and breaks no CSP rule', async () => {
    const { page, seen } = await open()
    try {
      const paths = await page.locator('.opblock-summary-path').allTextContents()
      assert.ok(paths.includes('/auth'), `POST /auth missing from ${paths}`)
      assert.ok(paths.includes('/holodules/{date}'), `GET /holodules/{date} missing from ${paths}`)
      assert.equal(
        (await operation(page, '/auth').locator('.opblock-summary-method').textContent())?.trim(),
        'POST',
      )
      assert.equal(
        (await operation(page, '/holodules/{date}').locator('.opblock-summary-method').textContent())?.trim(),
        'GET',
      )
      const own = new URL(origins().page).origin
      const foreign = seen.requests.filter((u) => new URL(u).origin !== own)
      assert.deepEqual(foreign, [], 'every request of the page goes to the server')
      assert.ok(seen.requests.some((u) => u.endsWith('/docs/swagger-ui-bundle.js')))
      assert.ok(seen.requests.some((u) => u.endsWith('/openapi.json')))
      assert.deepEqual(seen.errors, [], 'no console error (a CSP violation is one)')
    } finally {
      await page.close()
    }
  })

  it('logs in, authorizes with "JWT <token>" and fetches a day from the page, across origins', async () => {
    const { page, seen } = await open()
    try {
      const { api } = origins()
      await callOtherOrigin(page, server)
      const login = await logIn(page, password)
      assert.equal(login.status, '200', login.body)
      const token = (JSON.parse(login.body) as { access_token: string }).access_token
      assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/)

      await authorize(page, 'jwt (apiKey)', `JWT ${token}`)

      const day = japanDay(Date.now())
      const got = await fetchDay(page, day)
      assert.equal(got.status, '200', got.body)
      const body = JSON.parse(got.body) as { result: number; holodules: Array<{ datetime: string }> }
      assert.ok(body.result > 0)
      assert.equal(body.holodules.length, body.result)
      assert.ok(body.holodules.every((h) => h.datetime.startsWith(day)))
      // For a person to look at when this fails (or to see what the flow looks like).
      await page.screenshot({ path: '/tmp/holodule-docs-try-it-out.png', fullPage: true })

      // Both calls went to the other origin, and the server answered their preflights.
      assert.ok(seen.requests.includes(`${api}/auth`), seen.requests.join('\n'))
      assert.ok(seen.requests.includes(`${api}/holodules/${day}`), seen.requests.join('\n'))
      for (const path of ['/auth', `/holodules/${day}`])
        assert.match(server.output(), new RegExp(`"method":"OPTIONS","path":"${path}","status":204`))
      const own = [origins().page, api]
      assert.deepEqual(
        seen.requests.filter((u) => !own.includes(new URL(u).origin)),
        [],
      )
      assert.deepEqual(seen.errors, [])
    } finally {
      await page.close()
    }
  })

  it('takes a bare token pasted into jwt (the page adds the word JWT), and a /login token as bearer', async () => {
    const day = japanDay(Date.now())
    const bare = await open()
    try {
      const login = await logIn(bare.page, password)
      const token = (JSON.parse(login.body) as { access_token: string }).access_token
      await authorize(bare.page, 'jwt (apiKey)', token)
      const got = await fetchDay(bare.page, day)
      assert.equal(got.status, '200', got.body)
      assert.ok((JSON.parse(got.body) as { result: number }).result > 0)
      assert.deepEqual(bare.seen.errors, [])
    } finally {
      await bare.page.close()
    }

    const second = await open()
    try {
      const login = await tryItOut(operation(second.page, '/login'), (op) =>
        op.locator('textarea.body-param__text').fill(JSON.stringify({ username: 'demo', password })),
      )
      assert.equal(login.status, '200', login.body)
      await authorize(
        second.page,
        '(http, Bearer)',
        (JSON.parse(login.body) as { access_token: string }).access_token,
      )
      const got = await fetchDay(second.page, day)
      assert.equal(got.status, '200', got.body)
      // The second generation's answer: a bare array, code included.
      const rows = JSON.parse(got.body) as Array<{ code: string; datetime: string }>
      assert.ok(Array.isArray(rows) && rows.length > 0)
      assert.ok(rows.every((r) => r.datetime.startsWith(day) && r.code.length > 0))
      assert.deepEqual(second.seen.errors, [])
    } finally {
      await second.page.close()
    }
  })

  it('logs in through the Authorize dialog`s OAuth2 password flow (POST /token), then reads /schedules', async () => {
    const { page, seen } = await open()
    try {
      await page.locator('.auth-wrapper button.authorize').click()
      const oauth = page
        .locator('.modal-ux .auth-container')
        .filter({ has: page.locator('h4', { hasText: 'OAuth2 (OAuth2, password)' }) })
      await oauth.waitFor({ timeout: 10_000 })
      const text = (await oauth.textContent()) ?? ''
      assert.match(text, /Token URL:\s*\/token/, text)
      assert.match(text, /Flow:\s*password/, text)
      const [username, secret] = [oauth.locator('#oauth_username'), oauth.locator('#oauth_password')]
      assert.equal(await username.getAttribute('type'), 'text')
      assert.equal(await secret.getAttribute('type'), 'password')

      await username.fill('demo')
      await secret.fill(password)
      const answered = page.waitForResponse((r) => new URL(r.url()).pathname === '/token', {
        timeout: 15_000,
      })
      await oauth.locator('button.authorize').click()
      const login = await answered
      assert.equal(login.status(), 200)
      // The form OAuth2's password grant sends (Swagger UI adds client credentials as Basic, ignored).
      const form = new URLSearchParams(login.request().postData() ?? '')
      assert.deepEqual(
        [login.request().method(), form.get('grant_type'), form.get('username'), form.get('password')],
        ['POST', 'password', 'demo', password],
      )
      assert.equal(((await login.json()) as { token_type: string }).token_type, 'bearer')
      await oauth.locator('h6', { hasText: 'Authorized' }).waitFor({ timeout: 10_000 })
      await page.locator('.modal-ux button.btn-done').first().click()

      const day = japanDay(Date.now())
      const iso = `${day.slice(0, 4)}-${day.slice(4, 6)}-${day.slice(6)}`
      const sent = page.waitForRequest((r) => new URL(r.url()).pathname === '/schedules', { timeout: 15_000 })
      const got = await tryItOut(operation(page, '/schedules', 'get'), async (op) => {
        await op.locator('tr[data-param-name="sdate"] input').fill(iso)
        await op.locator('tr[data-param-name="edate"] input').fill(iso)
      })
      assert.equal(got.status, '200', got.body)
      assert.match((await sent).headers().authorization ?? '', /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/)
      const body = JSON.parse(got.body) as { schedules: Array<{ streaming_at: string }> }
      assert.ok(body.schedules.length > 0, got.body)
      assert.ok(
        body.schedules.every((s) => s.streaming_at.startsWith(iso)),
        got.body,
      )
      await page.screenshot({ path: '/tmp/holodule-docs-oauth2.png', fullPage: true })
      assert.deepEqual(seen.errors, [])
    } finally {
      await page.close()
    }
  })

  it('renders something a screenshot can see; a blank page fails the same check', async () => {
    const { page } = await open()
    try {
      const shot = await page.screenshot({ path: '/tmp/holodule-docs-page.png', fullPage: true })
      const stats = pngStats(shot)
      assert.ok(looksRendered(stats), `the docs page looks blank: ${JSON.stringify(stats)}`)
      await page.setContent('<!doctype html><html><body></body></html>')
      const blank = pngStats(await page.screenshot())
      assert.equal(looksRendered(blank), false, `a blank page passed: ${JSON.stringify(blank)}`)
    } finally {
      await page.close()
    }
  })
})

describe('GET /docs when CORS_ORIGINS leaves out the page', { timeout: 120_000 }, () => {
  let server: EntryProcess
  let browser: Browser
  before(async () => {
    server = await startEntry('node', { LOG_LEVEL: 'info', CORS_ORIGINS: 'http://example.test' })
    browser = await launch()
  })
  after(async () => {
    await browser?.close()
    await server?.stop(2000)
  })

  it('cannot call the other origin: the cross-origin test above stands on CORS', async () => {
    const { page } = await openDocs(browser, server)
    try {
      await callOtherOrigin(page, server)
      const login = await logIn(page, await demoPassword(server))
      assert.notEqual(login.status, '200', login.body)
      assert.match(login.body, /Failed to fetch/)
      assert.match(server.output(), /"method":"OPTIONS","path":"\/auth","status":204/)
      assert.doesNotMatch(server.output(), /"method":"POST","path":"\/auth"/)
    } finally {
      await page.close()
    }
  })
})

describe('the Bun entry', { timeout: 60_000 }, () => {
  let server: EntryProcess
  before(async () => {
    server = await startEntry('bun', { LOG_LEVEL: 'warn' })
  })
  after(async () => {
    await server?.stop(2000)
  })

  it("serves the page and swagger-ui-dist's files as installed (resolved through Bun's createRequire)", async () => {
    const page = await fetch(`${server.baseUrl}/docs`)
    assert.equal(page.status, 200)
    assert.match(await page.text(), /swagger-ui-bundle\.js/)
    const require = createRequire(import.meta.url)
    for (const name of ['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']) {
      const res = await fetch(`${server.baseUrl}/docs/${name}`)
      assert.equal(res.status, 200, name)
      const onDisk = readFileSync(require.resolve(`swagger-ui-dist/${name}`))
      assert.ok(Buffer.from(await res.arrayBuffer()).equals(onDisk), name)
    }
  })
})

describe('DOCS=off', { timeout: 60_000 }, () => {
  let server: EntryProcess
  before(async () => {
    server = await startEntry('node', { LOG_LEVEL: 'warn', DOCS: 'off' })
  })
  after(async () => {
    await server?.stop(2000)
  })

  it('answers /docs and its files as unknown paths', async () => {
    for (const path of [
      '/docs',
      '/docs/',
      '/docs/init.js',
      '/docs/swagger-ui.css',
      '/docs/swagger-ui-bundle.js',
    ]) {
      const res = await fetch(`${server.baseUrl}${path}`, { redirect: 'manual' })
      assert.equal(res.status, 404, path)
      assert.deepEqual(await res.json(), { error: 'Not found' }, path)
    }
  })
})

/** The part of Swagger UI's global the test drives. */
interface SwaggerWindow {
  ui: { specActions: { updateSpec(text: string): void } }
}
