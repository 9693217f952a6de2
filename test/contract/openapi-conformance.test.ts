import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { testApp } from '../support/app.js'
import {
  type Conformance,
  createConformance,
  type Observed,
  type OpenApiDocument,
} from './openapi-conformance.js'

const JSON_TYPE = 'application/json; charset=UTF-8'

const answer = (
  method: string,
  path: string,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): Observed => ({
  method,
  path,
  status,
  headers: new Headers(body === undefined ? headers : { 'Content-Type': JSON_TYPE, ...headers }),
  body: body === undefined ? '' : JSON.stringify(body),
})

const INVALID_CREDENTIALS = { status_code: 401, error: 'Bad Request', description: 'Invalid credentials' }

/**
 * The drift check must be able to fail: the contract suite passing through it proves nothing
 * unless a wrong answer is caught. Each case below is one way an answer can leave the document.
 */
describe('the OpenAPI conformance check', () => {
  let check: Conformance['check']
  before(async () => {
    const { app } = testApp()
    check = createConformance((await (await app.request('/openapi.json')).json()) as OpenApiDocument).check
  })

  it('passes answers that are as documented', () => {
    assert.deepEqual(check(answer('POST', '/auth', 401, INVALID_CREDENTIALS)), [])
    assert.deepEqual(
      check(
        answer(
          'POST',
          '/auth',
          429,
          { status_code: 429, error: 'Too Many Requests', description: 'Too many login attempts' },
          { 'Retry-After': '30' },
        ),
      ),
      [],
    )
    assert.deepEqual(check(answer('GET', '/holodules/20201209', 404, { error: 'Not found' })), [])
    assert.deepEqual(check(answer('GET', '/holodules/20201209/', 200, [])), [])
    assert.deepEqual(
      check(
        answer('GET', '/holodules/20201209', 304, undefined, {
          ETag: '"abc"',
          'Cache-Control': 'private, max-age=5',
          Vary: 'Authorization',
        }),
      ),
      [],
    )
    assert.deepEqual(check(answer('GET', '/nope', 404, { error: 'Not found' })), [])
    assert.deepEqual(
      check(answer('PUT', '/auth', 405, { error: 'Method Not Allowed' }, { Allow: 'POST' })),
      [],
    )
  })

  it('fails a status the operation does not document', () => {
    const problems = check(answer('POST', '/auth', 418, { error: 'teapot' }))
    assert.equal(problems.length, 1)
    assert.match(problems[0] as string, /status 418 is not documented for POST \/auth/)
    assert.notDeepEqual(check(answer('GET', '/holodules/20201209', 302, undefined)), [])
  })

  it('fails a body that does not match the schema: a changed word, an extra key, a missing key, a wrong type', () => {
    for (const body of [
      { ...INVALID_CREDENTIALS, description: 'Wrong password' },
      { ...INVALID_CREDENTIALS, hint: 'no such user' },
      { status_code: 401, error: 'Bad Request' },
      { ...INVALID_CREDENTIALS, status_code: '401' },
    ]) {
      const problems = check(answer('POST', '/auth', 401, body))
      assert.equal(problems.length, 1, JSON.stringify(body))
      assert.match(problems[0] as string, /does not match/)
    }
    assert.notDeepEqual(
      check(answer('GET', '/holodules/20201209', 200, { result: 1, holodules: [{ key: 'k' }] })),
      [],
    )
    assert.notDeepEqual(check(answer('GET', '/holodules/20201209', 400, { error: 'Bad Request' })), [])
  })

  it('fails a body that is not JSON, or JSON under another content type', () => {
    assert.match(
      check(answer('POST', '/login', 401, undefined, { 'Content-Type': JSON_TYPE }))[0] ?? '',
      /not JSON/,
    )
    assert.match(
      check({
        ...answer('POST', '/login', 401, { error: 'Unauthorized' }),
        headers: new Headers({ 'Content-Type': 'text/plain' }),
      })[0] ?? '',
      /content type "text\/plain" is not documented/,
    )
  })

  it('fails a missing required header, and a header off its schema', () => {
    const throttled = { status_code: 429, error: 'Too Many Requests', description: 'Too many login attempts' }
    assert.match(check(answer('POST', '/auth', 429, throttled))[0] ?? '', /Retry-After is required/)
    assert.match(
      check(answer('POST', '/auth', 429, throttled, { 'Retry-After': 'soon' }))[0] ?? '',
      /header Retry-After/,
    )
    assert.match(check(answer('GET', '/holodules/20201209', 304, undefined))[0] ?? '', /ETag is required/)
    assert.match(
      check(answer('PUT', '/auth', 405, { error: 'Method Not Allowed' }))[0] ?? '',
      /Allow is required/,
    )
  })

  it('fails a body where none is documented', () => {
    const problems = check(
      answer(
        'GET',
        '/holodules/20201209',
        304,
        { result: 0 },
        { ETag: '"a"', 'Cache-Control': 'x', Vary: 'Authorization' },
      ),
    )
    assert.match(problems[0] as string, /documents no body/)
  })

  it('holds answers outside every operation to the global responses', () => {
    assert.notDeepEqual(check(answer('GET', '/nope', 200, { hello: 'world' })), [])
    assert.notDeepEqual(check(answer('GET', '/nope', 404, { error: 'Not Found' })), [])
    assert.notDeepEqual(check(answer('DELETE', '/holodules/20201209', 404, { error: 'Not found' })), [])
    assert.notDeepEqual(check(answer('OPTIONS', '/auth', 200, undefined)), [])
  })
})
