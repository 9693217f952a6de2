import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { MAX_FEEDS_PER_USER } from '#src/app/index.js'
import { hashFeedSecret } from '#src/auth/feed-secret.js'
import { runCli } from '#src/cli/cli.js'
import { MemoryFeedStore } from '#src/store/memory/feeds.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp, testClock } from '../../support/app.js'

const sink = () => {
  let text = ''
  const stream = {
    write: (s: string) => {
      text += s
      return true
    },
    isTTY: false,
  } as unknown as NodeJS.WriteStream
  return { stream, text: () => text }
}

/** runCli on a MemoryStore and a MemoryFeedStore, and the app over the same two. */
const setup = async () => {
  const store = new MemoryStore()
  const feeds = new MemoryFeedStore()
  await store.addUser('alice', 'x')
  await store.addUser('bob', 'x')
  // The app keeps a live feed for USER_CACHE_TTL (2 s by default): a change the CLI makes shows
  // in a running server's polls once that has passed (README), so the tests move this clock past it.
  const clock = testClock(Date.now())
  const { app } = testApp({ store, feeds, clock })
  const cli = async (...argv: string[]) => {
    const out = sink()
    const err = sink()
    const io = { stdin: process.stdin, stdout: out.stream, stderr: err.stream }
    const code = await runCli(argv, io, {}, undefined, { store: async () => store, feeds: async () => feeds })
    return { code, stdout: out.text(), stderr: err.text() }
  }
  const poll = async (path: string) => (await app.request(`http://api.test${path}`)).status
  return { store, feeds, cli, poll, pastCache: () => clock.advance(2_001) }
}

const SECRET_URL = /(https:\/\/holodule\.example\.org\/sub)?(\/calendar\/([A-Za-z0-9_-]{43})\.ics)\n/

describe('holodule feed', () => {
  it('add makes the record POST /feeds makes; the URL is shown once and answers', async () => {
    const t = await setup()
    const r = await t.cli(
      'feed',
      'add',
      'alice',
      '--group',
      'hololive',
      '--base-url',
      'https://holodule.example.org/sub/',
    )
    assert.equal(r.code, 0, r.stderr)
    const [, base, path, secret] = r.stdout.match(SECRET_URL) ?? []
    assert.ok(base && path && secret, r.stdout)
    assert.match(r.stdout, /^added feed [0-9a-f]{16} for alice \(group hololive\)\n/)
    const [feed] = await t.feeds.listFeeds('alice')
    assert.deepEqual(feed && { ...feed, id: '', created: '' }, {
      id: '',
      username: 'alice',
      userId: (await t.store.findAccountByUsername('alice'))?.id,
      secretHash: await hashFeedSecret(secret),
      group: 'hololive',
      code: null,
      keyword: null,
      created: '',
    })
    assert.ok(r.stdout.includes(feed?.id ?? '?'))
    assert.ok(Math.abs(Date.parse(feed?.created ?? '') - Date.now()) < 60_000)
    assert.equal(await t.poll(path), 200)

    const plain = await t.cli('feed', 'add', 'bob', '--code', 'HL0101', '--keyword', '歌枠')
    assert.equal(plain.code, 0, plain.stderr)
    const [, noBase, bobPath] = plain.stdout.match(SECRET_URL) ?? []
    assert.equal(noBase, undefined)
    assert.match(plain.stdout, new RegExp(`\\n${bobPath}\\n`))
    assert.match(plain.stdout, /put the server's public address before it/)
    assert.equal(await t.poll(bobPath ?? '?'), 200)

    const json = await t.cli('feed', 'add', 'bob', '--json', '--base-url', 'http://127.0.0.1:5000')
    const made = JSON.parse(json.stdout) as Record<string, unknown>
    assert.deepEqual(Object.keys(made), ['id', 'url', 'group', 'code', 'keyword', 'created'])
    assert.match(String(made.url), /^http:\/\/127\.0\.0\.1:5000\/calendar\/[A-Za-z0-9_-]{43}\.ics$/)
  })

  it('list shows ids, filters and states, never a secret; remove ends the feed', async () => {
    const t = await setup()
    const add = await t.cli('feed', 'add', 'alice', '--group', 'hololive')
    const path = add.stdout.match(SECRET_URL)?.[2] ?? '?'
    await t.cli('feed', 'add', 'bob')
    const [feed] = await t.feeds.listFeeds('alice')
    const id = feed?.id ?? '?'

    const one = await t.cli('feed', 'list', 'alice')
    assert.equal(one.code, 0, one.stderr)
    assert.match(
      one.stdout,
      new RegExp(
        `^ID +USER +GROUP +CODE +KEYWORD +CREATED +STATE\\n${id} +alice +hololive +- +- +\\S+ +live\\n$`,
      ),
    )
    const all = await t.cli('feed', 'list', '--json')
    const rows = JSON.parse(all.stdout) as Array<Record<string, unknown>>
    assert.deepEqual(
      rows.map((r) => [r.username, r.state]),
      [
        ['alice', 'live'],
        ['bob', 'live'],
      ],
    )
    for (const out of [one.stdout, all.stdout])
      assert.doesNotMatch(out, /calendar|[A-Za-z0-9_-]{43}|[0-9a-f]{64}/)

    assert.equal(await t.poll(path), 200) // a rendered calendar is cached for its filter now
    const rm = await t.cli('feed', 'remove', 'alice', id)
    assert.equal(rm.code, 0, rm.stderr)
    assert.match(rm.stdout, new RegExp(`removed feed ${id} of alice`))
    t.pastCache()
    assert.equal(await t.poll(path), 404)
    assert.deepEqual(await t.feeds.listFeeds('alice'), [])

    const twice = await t.cli('feed', 'remove', 'alice', id)
    assert.equal(twice.code, 1)
    assert.equal(twice.stderr, `holodule: alice has no feed "${id}" (see 'feed list alice')\n`)
    const bobs = await t.cli('feed', 'remove', 'bob', id)
    assert.equal(bobs.code, 1, 'another user names no feed of alice')
  })

  it('an unknown user is refused; a removed or re-created user leaves orphans to list and remove', async () => {
    const t = await setup()
    for (const argv of [
      ['feed', 'add', 'ghost'],
      ['feed', 'list', 'ghost'],
      ['feed', 'remove', 'ghost', '0123456789abcdef'],
    ]) {
      const r = await t.cli(...argv)
      assert.equal(r.code, 1, argv.join(' '))
      assert.equal(r.stderr, 'holodule: user "ghost" does not exist\n')
    }
    assert.deepEqual(await t.feeds.listFeeds('ghost'), [])

    await t.cli('feed', 'add', 'alice')
    await t.cli('feed', 'add', 'bob')
    const alice = await t.store.findAccountByUsername('alice')
    await t.store.updateAccount(alice?.id ?? '?', { disabled: true })
    await t.store.removeUser('bob')
    await t.store.addUser('bob', 'y')
    const states = JSON.parse((await t.cli('feed', 'list', '--json')).stdout) as Array<
      Record<string, unknown>
    >
    assert.deepEqual(
      states.map((r) => [r.username, r.state]),
      [
        ['alice', 'user disabled'],
        ['bob', 'orphaned'],
      ],
    )
    const warned = await t.cli('feed', 'add', 'alice')
    assert.match(warned.stdout, /alice is disabled: the feed answers 404 until 'user enable'/)

    await t.store.removeUser('bob')
    const orphans = await t.cli('feed', 'list', 'bob')
    assert.equal(orphans.code, 0, orphans.stderr)
    assert.match(orphans.stdout, /orphaned\n$/)
    const id = (await t.feeds.listFeeds('bob'))[0]?.id ?? '?'
    assert.equal((await t.cli('feed', 'remove', 'bob', id)).code, 0)
    assert.equal((await t.cli('feed', 'list', 'bob')).code, 1)
  })

  it(`a user has at most ${MAX_FEEDS_PER_USER} feeds, through the CLI as through the app`, async () => {
    const t = await setup()
    for (let i = 0; i < MAX_FEEDS_PER_USER; i++) assert.equal((await t.cli('feed', 'add', 'alice')).code, 0)
    const full = await t.cli('feed', 'add', 'alice', '--group', 'hololive')
    assert.equal(full.code, 1)
    assert.match(full.stderr, /^holodule: alice has 20 feeds already, the most allowed: remove one first/)
    assert.equal((await t.feeds.listFeeds('alice')).length, MAX_FEEDS_PER_USER)
  })

  it('usage errors exit 2 before anything is written; --help names the commands', async () => {
    const t = await setup()
    for (const argv of [
      ['feed', 'add', 'alice', '--group', ''],
      ['feed', 'add', 'alice', '--keyword', 'x'.repeat(201)],
      ['feed', 'add', 'alice', '--base-url', 'holodule.example.org'],
      ['feed', 'add', 'alice', '--base-url', 'ftp://holodule.example.org'],
      ['feed', 'add', 'alice', '--base-url', 'https://h.example.org/?q=1'],
      ['feed', 'add'],
      ['feed', 'list', 'alice', 'bob'],
      ['feed', 'remove', 'alice'],
      ['feed', 'nope'],
    ]) {
      const r = await t.cli(...argv)
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`)
      assert.match(r.stderr, /^holodule: [^\n]+\n$/)
    }
    assert.deepEqual(await t.feeds.listFeeds('alice'), [])
    const group = await t.cli('feed', '--help')
    assert.match(group.stdout, /feed add <user> .*\n.*feed list \[<user>\] .*\n.*feed remove <user> <id> /)
    const list = await t.cli('feed', 'list', '--help')
    assert.match(list.stdout, /^Usage: holodule feed list \[<user>\] \[options\]\n/)
    const main = await t.cli('--help')
    assert.match(main.stdout, /feed add <user>/)
  })
})
