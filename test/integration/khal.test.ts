import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { HASH_FLOORS, hashPassword } from '#src/auth/password.js'
import { issueBearerToken } from '#src/auth/token.js'
import { scheduleFromDoc, streamerFromDoc } from '#src/store/layouts/schedules.js'
import { MemoryStore } from '#src/store/memory/memory-store.js'
import { testApp, testClock, testConfig } from '../support/app.js'
import { LAYOUT_SEED } from '../support/layout-cases.js'

/**
 * A feed as fans use it: Debian's khal imports the served calendar (`khal import --batch`) and
 * lists each stream at the right local time, in Japan and in UTC. scripts/test-deps.sh installs khal.
 */
describe('a calendar feed in a real calendar client (khal)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'holodule-khal-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  const khal = (tz: string, ...args: string[]) =>
    execFileSync('khal', ['-c', join(dir, 'config'), ...args], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH,
        TZ: tz,
        HOME: dir,
        XDG_DATA_HOME: join(dir, 'data'),
        XDG_CONFIG_HOME: dir,
      },
      timeout: 30_000,
    })

  it('shows each stream at its Japan time in TZ=Asia/Tokyo and at UTC in TZ=UTC', async () => {
    const now = Date.UTC(2024, 0, 10, 3)
    const store = new MemoryStore({
      users: [
        {
          id: '1',
          username: 'user01',
          password: await hashPassword('p', HASH_FLOORS.pbkdf2Iterations),
          documentId: 'a'.repeat(24),
        },
      ],
      schedules: LAYOUT_SEED.schedules.map(scheduleFromDoc),
      streamers: LAYOUT_SEED.streamers.map(streamerFromDoc),
    })
    const config = { ...testConfig(), passwordIterations: HASH_FLOORS.pbkdf2Iterations }
    const { app } = testApp({ store, clock: testClock(now), config })
    const made = await app.request('/feeds', {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${await issueBearerToken(config.jwt, 'user01', now)}`,
        'Content-Type': 'application/json',
      },
      body: JSON.stringify({ group: 'hololive' }),
    })
    const { url } = (await made.json()) as { url: string }
    const ics = await (await app.request(url)).text()
    writeFileSync(join(dir, 'feed.ics'), ics)
    writeFileSync(
      join(dir, 'config'),
      [
        '[calendars]',
        '[[feed]]',
        `path = ${join(dir, 'calendar')}`,
        'type = calendar',
        '[locale]',
        'timeformat = %H:%M',
        'dateformat = %Y-%m-%d',
        'longdateformat = %Y-%m-%d',
        'datetimeformat = %Y-%m-%d %H:%M',
        'longdatetimeformat = %Y-%m-%d %H:%M',
        '',
      ].join('\n'),
    )
    execFileSync('mkdir', ['-p', join(dir, 'calendar')])
    khal('Asia/Tokyo', 'import', '--batch', '-a', 'feed', join(dir, 'feed.ics'))

    // The hololive group is HL0001 and HL0002: 21:00 and 00:30 on the 10th, 23:59:59 on the 9th,
    // 10:00 on the 12th, Japan time.
    // khal prints `HH:MM-HH:MM summary :: description`, an event past midnight as `HH:MM→` and `→HH:MM`.
    const tokyo = khal('Asia/Tokyo', 'list', '2024-01-09', '5d')
    assert.match(tokyo, /2024-01-09\n23:59→ talent HL0001: title 4 /)
    assert.match(
      tokyo,
      /2024-01-10\n→00:59 talent HL0001: title 4 [^\n]*\n00:30-01:30 talent HL0002: title 2 [^\n]*\n21:00-22:00 talent HL0001: title 1 /,
    )
    assert.match(tokyo, /2024-01-12\n10:00-11:00 talent HL0002: title 6 /)
    const utc = khal('UTC', 'list', '2024-01-09', '5d')
    assert.match(
      utc,
      /2024-01-09\n14:59-15:59 talent HL0001: title 4 [^\n]*\n15:30-16:30 talent HL0002: title 2 /,
    )
    assert.match(utc, /2024-01-10\n12:00-13:00 talent HL0001: title 1 /)
    assert.match(utc, /2024-01-12\n01:00-02:00 talent HL0002: title 6 /)
  })
})
