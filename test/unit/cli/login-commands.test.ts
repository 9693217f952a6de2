import assert from 'node:assert/strict'
import { test } from 'node:test'
import { DEFAULT_THROTTLE_POLICY } from '#src/app/index.js'
import { userKey } from '#src/auth/login-throttle.js'
import { COMMANDS } from '#src/cli/commands.js'
import type { CliContext } from '#src/cli/context.js'
import { memoryLoginLimiters } from '#src/store/login-limiters.js'

/** `login unblock` on counters in memory, as the throttle keys them; `groupsOf` answers what the database would. */
const setup = () => {
  const limiters = memoryLoginLimiters(DEFAULT_THROTTLE_POLICY)
  let out = ''
  const ctx = {
    io: {
      stdout: {
        write: (s: string) => {
          out += s
          return true
        },
      },
    },
    loginCounters: async () => ({ limiters, groupsOf: async () => ['192.0.2.7', '2001:db8:0:1::/64'] }),
  } as unknown as CliContext
  const run = async (args: string[], flags: Record<string, string> = {}) => {
    out = ''
    await COMMANDS['login unblock']?.run({ args, flags }, ctx)
    return out
  }
  return { limiters, run }
}

test("login unblock deletes the throttle's counts under its own keys: every address, or one and its day", async () => {
  const { limiters, run } = setup()
  const fail = async (group: string) => {
    await limiters.consecutive.consume(userKey('gina', group))
    await limiters.blocks.consume(userKey('gina', group))
    await limiters.perAddress.consume(group)
    await limiters.perUser.consume('gina')
  }
  await fail('192.0.2.7')
  await fail('2001:db8:0:1::/64')
  assert.equal(
    await run(['gina'], { address: '2001:db8:0:1:aaaa::1' }),
    `cleared the failures from 2001:db8:0:1::/64, the day's count of 2001:db8:0:1::/64 for "gina"; a running server sees it within 10 s\n`,
  )
  assert.equal(await limiters.consecutive.get(userKey('gina', '2001:db8:0:1::/64')), null)
  assert.equal(await limiters.perAddress.get('2001:db8:0:1::/64'), null)
  assert.notEqual(
    await limiters.consecutive.get(userKey('gina', '192.0.2.7')),
    null,
    'the other address kept',
  )
  assert.notEqual(await limiters.perUser.get('gina'), null, 'the account count kept')

  assert.equal(
    await run(['gina']),
    'cleared the account limit, the failures from 192.0.2.7 for "gina"; a running server sees it within 10 s\n',
  )
  for (const limiter of [limiters.consecutive, limiters.blocks])
    assert.equal(await limiter.get(userKey('gina', '192.0.2.7')), null)
  assert.equal(await limiters.perUser.get('gina'), null)
  assert.notEqual(
    await limiters.perAddress.get('192.0.2.7'),
    null,
    "other users' failures from the address kept",
  )
  assert.equal(await run(['gina']), 'nothing to clear: no failures counted for "gina"\n')
  await assert.rejects(run(['gina'], { address: '192.0.2' }), /--address must be an IPv4 or IPv6 address/)
})
