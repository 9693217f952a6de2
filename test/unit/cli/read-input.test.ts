import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, test } from 'node:test'
import { CliError } from '#src/cli/context.js'
import { invalidUtf8At, MAX_IMPORT_BYTES, readInput } from '#src/cli/read-input.js'

const dir = mkdtempSync(join(tmpdir(), 'holodule-read-input-'))
after(() => rmSync(dir, { recursive: true, force: true }))
const stdinOf = (chunks: Iterable<Buffer | string>) => Readable.from(chunks) as unknown as NodeJS.ReadStream
const refused = async (p: Promise<unknown>, message: RegExp) =>
  assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof CliError, String(e))
    assert.match(e.message, message)
    return true
  })

test('invalidUtf8At: where the first ill-formed sequence starts (RFC 3629), -1 for good UTF-8', () => {
  const at = (...bytes: number[]) => invalidUtf8At(Uint8Array.from(bytes))
  assert.equal(invalidUtf8At(Buffer.from('尾丸ポルカ 😀 ascii')), -1)
  assert.equal(at(0x61, 0xff), 1)
  assert.equal(at(0x61, 0x80), 1, 'a lone continuation byte')
  assert.equal(at(0xc0, 0xaf), 0, 'an overlong /')
  assert.equal(at(0xe0, 0x80, 0xaf), 0, 'an overlong three-byte form')
  assert.equal(at(0xed, 0xa0, 0x80), 0, 'a surrogate')
  assert.equal(at(0xf4, 0x90, 0x80, 0x80), 0, 'past U+10FFFF')
  assert.equal(at(0x61, 0x62, 0xe3, 0x81), 2, 'cut short at the end')
  assert.equal(at(0xe3, 0x81, 0x41), 0, 'a continuation missing')
})

test('a file or stdin that is not UTF-8 is refused with the byte offset; a NUL byte too', async () => {
  const latin1 = join(dir, 'latin1.jsonl')
  writeFileSync(
    latin1,
    Buffer.concat([Buffer.from('{"name": "caf'), Buffer.from([0xe9]), Buffer.from('"}\n')]),
  )
  await refused(
    readInput(latin1, stdinOf([])),
    /^.*latin1\.jsonl is not valid UTF-8: byte offset 13 \(0xe9\)/,
  )
  // Across chunks, the offset counts from the start of the input.
  await refused(
    readInput('-', stdinOf([Buffer.from('[{"a": 1}'), Buffer.from([0x2c, 0xc3, 0x28])])),
    /^stdin is not valid UTF-8: byte offset 10 \(0xc3\)/,
  )
  await refused(
    readInput('-', stdinOf([Buffer.from('ok\n'), Buffer.from([0x7b, 0x00, 0x7d])])),
    /^stdin: a NUL byte at byte offset 4: not a text file of records$/,
  )
  assert.equal(await readInput('-', stdinOf([Buffer.from('\uFEFF[]'), '\n'])), '\uFEFF[]\n')
})

test('reading stops at the cap: an endless stream or a sparse file bigger than it is refused after cap + 1 bytes', async () => {
  assert.equal(MAX_IMPORT_BYTES, 64 * 1024 * 1024)
  let served = 0
  /** Spaces without end, as `yes ' '` would send: counts what the reader pulled. */
  const endless = Readable.from(
    (function* () {
      for (;;) {
        served += 4096
        yield Buffer.alloc(4096, 0x20)
      }
    })(),
  ) as unknown as NodeJS.ReadStream
  await refused(
    readInput('-', endless, 100_000),
    /^stdin is larger than [\d.]+ MiB, the most an import reads: split it/,
  )
  assert.ok(served <= 100_000 + 2 * 4096, `read ${served} bytes`)

  // A sparse file past the cap reads as NUL bytes: refused at the first, nothing more read.
  const sparse = join(dir, 'sparse.json')
  writeFileSync(sparse, '')
  truncateSync(sparse, MAX_IMPORT_BYTES + 1)
  await refused(readInput(sparse, stdinOf([])), /sparse\.json: a NUL byte at byte offset 0/)
  // A file of text past the cap: refused by size, having read cap + 1 bytes at most.
  const big = join(dir, 'big.jsonl')
  writeFileSync(big, Buffer.alloc(200_001, 0x20))
  await refused(readInput(big, stdinOf([]), 200_000), /big\.jsonl is larger than/)
  assert.equal(await readInput(big, stdinOf([]), 200_001), ' '.repeat(200_001))
})

test('/dev/zero is refused at its first byte, not read to the end of memory', async () => {
  await refused(readInput('/dev/zero', stdinOf([])), /^\/dev\/zero: a NUL byte at byte offset 0/)
  await refused(
    readInput(join(dir, 'missing.json'), stdinOf([])),
    /cannot read .*missing\.json: no such file/,
  )
  await refused(readInput(dir, stdinOf([])), /cannot read .*: is a directory/)
})
