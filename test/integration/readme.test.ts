import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import { SECRET, SEED_DAY, seedMongo } from '#harness/fixtures.js'
import { REPO_ROOT } from '#harness/server-process.js'
import { type EntryProcess, startEntry } from '../support/entry-process.js'

const DB = 'readme'

/**
 * The README's curl session, as commands (continuation lines joined), without its `# …` answers:
 * `curl …`, and the logins that set the token, `TOKEN=$(curl … | sed …)`.
 */
const readmeSession = (): string[] => {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf("## The old service's curl session"))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  return block
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('curl ') || l.startsWith('TOKEN=$(curl '))
}

const claims = (jwt: string) =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>

/**
 * The README's "old service's curl session", run as written against the server it describes: a
 * Node entry on a database holding the old service's users and days (the contract fixtures:
 * user01 / password01 and 2020-12-09).
 */
describe("the README's curl session", () => {
  let mongo: MongoServer
  let server: EntryProcess
  before(async () => {
    mongo = await startMongo()
    await seedMongo(mongo.uri, DB)
    server = await startEntry('node', {
      MONGODB_URI: mongo.uri,
      MONGODB_DB: DB,
      JWT_SECRET_KEY: SECRET,
      LOG_LEVEL: 'warn',
    })
  })
  after(async () => {
    await server?.stop(500)
    await mongo?.dispose()
  })

  it('answers each command as the README says', () => {
    const commands = readmeSession()
    assert.equal(commands.length, 8, commands.join('\n'))
    let token = ''
    const run = (command: string) =>
      execFileSync('sh', ['-c', command.replaceAll('http://127.0.0.1:5000', server.baseUrl)], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, TOKEN: token },
        timeout: 15_000,
      })
    /** A login line as written: it sets TOKEN, which the shell then prints for the lines after it. */
    const login = (command: string) => {
      assert.match(command, /^TOKEN=\$\(curl /)
      const set = run(`${command}\nprintf %s "$TOKEN"`)
      assert.match(set, /^eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9\.[\w-]+\.[\w-]+$/, command)
      token = set
    }
    const [loginV1, day, anonymous, loginV2, dayV2, loginV3, schedules, otherScheme] = commands as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ]
    login(loginV1)
    assert.ok('identity' in claims(token))
    const first = JSON.parse(run(day)) as { result: number; holodules: Array<{ key: string }> }
    assert.ok(first.result > 0 && first.holodules.every((h) => h.key.includes(`_${SEED_DAY}_`)))
    assert.equal(
      run(anonymous),
      '{"status_code":401,"error":"Authorization Required","description":"Request does not contain an access token"}',
    )
    login(loginV2)
    assert.equal(claims(token).type, 'access')
    const second = JSON.parse(run(dayV2)) as Array<{ key: string; code: string }>
    assert.ok(Array.isArray(second) && second.length === first.result && typeof second[0]?.code === 'string')
    login(loginV3)
    assert.deepEqual(Object.keys(claims(token)).sort(), ['exp', 'iat', 'sub'])
    const third = JSON.parse(run(schedules)) as { schedules: Array<{ key: string; streaming_at: string }> }
    // That day's streams of the group's members (all of them when no member is stored), newest first.
    const keys = third.schedules.map((s) => s.key)
    assert.ok(keys.length > 0, JSON.stringify(third))
    assert.deepEqual(
      second.map((r) => r.key).filter((k) => keys.includes(k)),
      keys,
    )
    assert.ok(third.schedules.every((s) => s.streaming_at.startsWith('2020-12-09T')))
    assert.equal(run(otherScheme), '{"detail":"Not authenticated"}')
  })
})
