// Reading an import file (issue 19, item 7: the import read /dev/zero to 630 MB before failing, and
// took any bytes): streamed up to a cap, refused at the first NUL byte (no text file of records holds
// one), and decoded as strict UTF-8, a bad byte named by its offset.
import { open } from 'node:fs/promises'
import { CliError } from './context.js'

/** The most an import reads: a 2020 row is ~500 bytes, so some 100,000 streams; past it, split the file. */
export const MAX_IMPORT_BYTES = 64 * 1024 * 1024
const CHUNK = 1024 * 1024

/** Where the first byte that is not part of well-formed UTF-8 (RFC 3629) starts; -1 when none. */
export const invalidUtf8At = (b: Uint8Array): number => {
  let i = 0
  while (i < b.length) {
    const c = b[i] as number
    if (c < 0x80) {
      i++
      continue
    }
    const n = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : 0
    if (n === 0) return i
    // The second byte's range also rules out overlong forms, surrogates and code points past U+10FFFF.
    const [lo, hi] =
      c === 0xe0
        ? [0xa0, 0xbf]
        : c === 0xed
          ? [0x80, 0x9f]
          : c === 0xf0
            ? [0x90, 0xbf]
            : c === 0xf4
              ? [0x80, 0x8f]
              : [0x80, 0xbf]
    const c1 = b[i + 1]
    if (c1 === undefined || c1 < lo || c1 > hi) return i
    for (let k = 2; k <= n; k++) {
      const ck = b[i + k]
      if (ck === undefined || ck < 0x80 || ck > 0xbf) return i
    }
    i += n + 1
  }
  return -1
}

/** Chunks until the end, the cap (then the error) or a NUL byte (then the error): never more than the cap. */
const collect = async (chunks: AsyncIterable<Buffer | string>, name: string, maxBytes: number) => {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of chunks) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk
    const nul = buf.indexOf(0)
    if (nul >= 0 && size + nul < maxBytes)
      throw new CliError(`${name}: a NUL byte at byte offset ${size + nul}: not a text file of records`)
    size += buf.length
    if (size > maxBytes)
      throw new CliError(
        `${name} is larger than ${maxBytes / 1024 / 1024} MiB, the most an import reads: split it (JSON lines: split -l 50000) and import each part`,
      )
    parts.push(buf)
  }
  const all = Buffer.concat(parts)
  const bad = invalidUtf8At(all)
  if (bad >= 0)
    throw new CliError(
      `${name} is not valid UTF-8: byte offset ${bad} (0x${(all[bad] as number).toString(16).padStart(2, '0')}); save it as UTF-8 and import it again`,
    )
  return all.toString('utf8')
}

/** A file read in chunks through its handle: a device such as /dev/zero stops at the cap too. */
async function* fileChunks(file: string, maxBytes: number): AsyncGenerator<Buffer> {
  let handle: Awaited<ReturnType<typeof open>>
  try {
    handle = await open(file, 'r')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    throw new CliError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')}`)
  }
  try {
    for (let read = 0; read <= maxBytes; ) {
      const buf = Buffer.alloc(Math.min(CHUNK, maxBytes + 1 - read))
      let n: number
      try {
        n = (await handle.read(buf, 0, buf.length, null)).bytesRead
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        throw new CliError(
          `cannot read ${file}: ${code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable')}`,
        )
      }
      if (n === 0) return
      read += n
      yield buf.subarray(0, n)
    }
  } finally {
    await handle.close()
  }
}

/**
 * The whole input as text: a file, or stdin for `-` (refused on a terminal, where it would wait
 * forever); at most `maxBytes`, without NUL bytes, strict UTF-8 (a byte-order mark is the parser's).
 */
export const readInput = async (
  file: string,
  stdin: NodeJS.ReadStream,
  maxBytes = MAX_IMPORT_BYTES,
): Promise<string> => {
  if (file !== '-') return collect(fileChunks(file, maxBytes), file, maxBytes)
  if (stdin.isTTY)
    throw new CliError("'-' reads the records from stdin, but stdin is a terminal: pipe a file in")
  return collect(stdin, 'stdin', maxBytes)
}
