import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { describe, test } from 'node:test'
import { HOLODULES } from '#harness/fixtures.js'
import { runCli } from '#src/cli/cli.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import type { Layout } from '#src/store/store.js'

/** runCli on a MemoryStore: the command line as a user types it, nothing opened. */
const cli = async (store: MemoryStore, ...argv: string[]) => {
  let stdout = ''
  let stderr = ''
  const sink = (add: (s: string) => void) =>
    ({
      write: (s: string) => {
        add(s)
        return true
      },
    }) as unknown as NodeJS.WriteStream
  const code = await runCli(
    argv,
    {
      stdin: Readable.from([]) as unknown as NodeJS.ReadStream,
      stdout: sink((s) => {
        stdout += s
      }),
      stderr: sink((s) => {
        stderr += s
      }),
    },
    { MONGODB_URI: 'mongodb://127.0.0.1:9/' },
    undefined,
    { store: async () => store },
  )
  return { code, stdout, stderr }
}

/** The fixture's rows in either layout: on 2024's as schedules documents, converted by the store. */
const storeOf = async (layout: Layout) => {
  if (layout === 'holodules') return new MemoryStore({ holodules: HOLODULES })
  const store = new MemoryStore({ layout: 'schedules' })
  const { scheduleOfHolodule } = await import('#src/cli/layout-import.js')
  await store.upsertSchedules(HOLODULES.map(scheduleOfHolodule))
  return store
}

for (const layout of ['holodules', 'schedules'] as const) {
  describe(`holodules list and remove on the ${layout} layout`, () => {
    test("list shows a day's keys, newest first; --json the streams; a bad --date is a usage error", async () => {
      const store = await storeOf(layout)
      const list = await cli(store, 'holodules', 'list', '--date', '20201209')
      assert.equal(list.code, 0, list.stderr)
      const lines = list.stdout.trimEnd().split('\n')
      assert.match(lines[0] ?? '', /^KEY\s+TIME\s+CODE\s+NAME\s+TITLE$/)
      assert.deepEqual(
        lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3).join(' ')),
        [
          'HL0203_20201209_235959 23:59 HL0203',
          'HL0503_20201209_230000 23:00 HL0503',
          'HL0301_20201209_120000 12:00 HL0301',
          'HL0101_20201209_000000 00:00 HL0101',
        ],
      )
      const json = JSON.parse((await cli(store, 'holodules', 'list', '--date', '20201209', '--json')).stdout)
      assert.equal(json.length, 4)
      assert.equal(json[0].url, 'https://www.youtube.com/watch?v=aaaaaaaaaa2')
      assert.equal(
        (await cli(store, 'holodules', 'list', '--date', '20201207')).stdout,
        'no streams on 20201207\n',
      )
      const bad = await cli(store, 'holodules', 'list', '--date', '20210230')
      assert.equal(bad.code, 2)
      assert.match(bad.stderr, /--date must be a real day as YYYYMMDD, not "20210230"/)
    })

    test('remove takes keys (or an _id), removes those found, and names the rest with exit 1', async () => {
      const store = await storeOf(layout)
      const ok = await cli(store, 'holodules', 'remove', 'HL0503_20201209_230000', 'HL0101_20201209_000000')
      assert.equal(ok.code, 0, ok.stderr)
      assert.equal(ok.stdout, 'removed HL0503_20201209_230000\nremoved HL0101_20201209_000000\n')
      assert.deepEqual(
        (await store.findHolodulesByDate('20201209')).map((h) => h.key),
        ['HL0203_20201209_235959', 'HL0301_20201209_120000'],
      )
      const [other] = await store.findSchedules({ from: '20201210', to: '20201210', limit: 5 })
      const some = await cli(
        store,
        'holodules',
        'remove',
        'HL0503_20201209_230000',
        String(other?.id),
        'nonsense',
      )
      assert.equal(some.code, 1)
      assert.equal(some.stdout, 'removed HL0402_20201210_000000\n')
      assert.equal(
        some.stderr,
        `holodule: no stream "HL0503_20201209_230000", "nonsense" (see 'holodules list --date YYYYMMDD')\n`,
      )
      assert.equal((await store.findHolodulesByDate('20201210')).length, 0)
      assert.equal((await cli(store, 'holodules', 'remove')).code, 2, 'a key at least')
    })
  })
}
