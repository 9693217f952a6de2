import assert from 'node:assert/strict'
import { Agent } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { type MongoServer, startMongo } from '#harness/ferretdb.js'
import { DB_NAME, HASHED_USER, SECRET, seedMongo } from '#harness/fixtures.js'
import { loginFrom } from '#harness/http-from.js'
import { type EntryProcess, startEntry } from '../support/entry-process.js'

/**
 * Issue 19, item 1, over HTTP: 32 source addresses (127.0.1.1-32) x 2 keep-alive connections send
 * wrong passwords with rotating user names (the legitimate user's among them), while a client from
 * a clean address (127.0.0.2) logs in. Before the fix every such login was 503 "Login is busy": the
 * hash queue was shared, and the flood filled it. Bounded: at most 40 requests a connection, and the
 * flood stops once the clean client is done. Statuses only, never times; nor the flood's own
 * unanswered requests: its checks run on the SCHED_IDLE hashing thread, which a loaded machine may
 * starve past any client timeout (that costs the flood, not the clean client).
 */
const FLOODERS = Array.from({ length: 32 }, (_, i) => `127.0.1.${i + 1}`)
const PER_CONNECTION = 40
const NAMES = [HASHED_USER.username, 'admin', 'root', 'guest', 'test', 'oracle']

/** Why requests got no answer, for the failure message. */
const noAnswer: string[] = []

/** POST /auth over `agent` (its local address), answering the status (0: no answer). */
const postLogin = async (baseUrl: string, agent: Agent, body: object): Promise<number> => {
  const answer = await loginFrom(agent, baseUrl, body, 30_000)
  if (answer.error) noAnswer.push(answer.error)
  return answer.status
}

/** The flood: two connections per address, each sending its guesses one after another. */
const startFlood = (baseUrl: string) => {
  const statuses: Record<number, number> = {}
  let stopped = false
  const agents = FLOODERS.map((localAddress) => new Agent({ keepAlive: true, maxSockets: 2, localAddress }))
  const loops = agents.flatMap((agent, a) =>
    [0, 1].map(async (c) => {
      for (let i = 0; i < PER_CONNECTION && !stopped; i++) {
        const username = NAMES[(a + c + i) % NAMES.length] as string
        const status = await postLogin(baseUrl, agent, { username, password: `wrong-${a}-${c}-${i}` })
        statuses[status] = (statuses[status] ?? 0) + 1
      }
    }),
  )
  return {
    statuses,
    async stop() {
      stopped = true
      await Promise.all(loops)
      for (const agent of agents) agent.destroy()
    },
  }
}

for (const runtime of ['node', 'bun'] as const) {
  describe(`the ${runtime} entry under a login flood from many addresses`, () => {
    let mongo: MongoServer
    let server: EntryProcess
    let baseUrl = ''

    before(async () => {
      mongo = await startMongo()
      await seedMongo(mongo.uri, DB_NAME, 600_000)
      server = await startEntry(runtime, {
        MONGODB_URI: mongo.uri,
        MONGODB_DB: DB_NAME,
        JWT_SECRET_KEY: SECRET,
        LOG_LEVEL: 'warn',
      })
      baseUrl = server.baseUrl
    })
    after(async () => {
      await server?.stop()
      await mongo?.dispose()
    })

    it('answers a clean address 200 while 32 addresses flood; the flood gets the 503s', {
      timeout: 180_000,
    }, async () => {
      const flood = startFlood(baseUrl)
      const legit = new Agent({ keepAlive: true, localAddress: '127.0.0.2' })
      const logins: number[] = []
      try {
        // Once the flood is refused, its addresses have failures counted and fill their part.
        for (let i = 0; i < 600 && !flood.statuses[503]; i++) await new Promise((r) => setTimeout(r, 50))
        for (let i = 0; i < 3; i++) logins.push(await postLogin(baseUrl, legit, HASHED_USER))
      } finally {
        await flood.stop()
        legit.destroy()
      }
      const seen = `${JSON.stringify(flood.statuses)} ${[...new Set(noAnswer)].join(', ')}`
      assert.deepEqual(logins, [200, 200, 200], `flood: ${seen}\n${server.output().slice(-2000)}`)
      assert.ok((flood.statuses[503] ?? 0) > 0, `the flood was never refused busy: ${seen}`)
      assert.ok((flood.statuses[401] ?? 0) > 0, `no guess was hashed: ${seen}`)
    })
  })
}
