import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { CliError, type CliIo } from '#src/cli/context.js'
import { readNewPassword } from '#src/cli/password-input.js'

/** Piped stdin (not a terminal): the first line is the password. */
const piped = (text: string): CliIo => {
  const sink = { write: () => true } as unknown as NodeJS.WriteStream
  return { stdin: Readable.from([text]) as unknown as NodeJS.ReadStream, stdout: sink, stderr: sink }
}

test('a new password shorter than 8 characters is refused with a clear message, counted as code points', async () => {
  for (const short of ['short', 'seven c', '\u{1F600}'.repeat(4)])
    await assert.rejects(readNewPassword(piped(`${short}\n`), 'bob'), (e: unknown) => {
      assert.ok(e instanceof CliError)
      assert.equal(
        e.message,
        'the password is shorter than 8 characters: choose a longer one (a passphrase of a few words is easy to type)',
      )
      return true
    })
  assert.equal(await readNewPassword(piped('eight ch\n'), 'bob'), 'eight ch')
  assert.equal(await readNewPassword(piped(`${'\u{1F600}'.repeat(8)}\r\n`), 'bob'), '\u{1F600}'.repeat(8))
  await assert.rejects(readNewPassword(piped('\n'), 'bob'), /the password is empty/)
})
