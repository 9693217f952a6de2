import { isLongEnough, MIN_PASSWORD_LENGTH } from '../app/index.js'
import { CliError, type CliIo } from './context.js'

/** Longer passwords could never log in: POST /auth bodies are capped at a few KiB. */
const MAX_PASSWORD_BYTES = 1024
const MAX_STDIN_BYTES = 64 * 1024

const validate = (password: string): string => {
  if (password === '') throw new CliError('the password is empty')
  // The same rule as POST and PUT /users: NIST SP 800-63B's minimum for a chosen password.
  if (!isLongEnough(password))
    throw new CliError(
      `the password is shorter than ${MIN_PASSWORD_LENGTH} characters: choose a longer one (a passphrase of a few words is easy to type)`,
    )
  if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES)
    throw new CliError(`the password is longer than ${MAX_PASSWORD_BYTES} bytes`)
  return password
}

/** Piped input: the first line, without its line ending (spaces are part of the password). */
const readFromPipe = async (stdin: NodeJS.ReadStream): Promise<string> => {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of stdin) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer)
    size += buf.length
    if (size > MAX_STDIN_BYTES) throw new CliError('stdin is too large for a password')
    chunks.push(buf)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  if (text === '')
    throw new CliError('no password on stdin (pipe one line, or run in a terminal to be asked)')
  return (text.split('\n')[0] as string).replace(/\r$/, '')
}

const isControl = (ch: string): boolean => {
  const code = ch.codePointAt(0) ?? 0
  return code < 0x20 || code === 0x7f
}

/**
 * Reads lines from the terminal in raw mode, echoing nothing. Keys typed ahead of the second
 * prompt arrive in the same chunk as the first line, so they are kept for the next call.
 */
const hiddenPrompt = (io: CliIo) => {
  let typedAhead = ''
  return (prompt: string): Promise<string> =>
    new Promise((resolve, reject) => {
      const { stdin, stderr } = io
      let value = ''
      let inEscape = false
      const finish = (error: CliError | null, rest: string) => {
        typedAhead = rest
        stdin.off('data', onData)
        stdin.setRawMode(false)
        stdin.pause()
        stderr.write('\n')
        if (error) reject(error)
        else resolve(value)
      }
      const consume = (text: string): boolean => {
        const chars = Array.from(text)
        for (const [i, ch] of chars.entries()) {
          const rest = () => chars.slice(i + 1).join('')
          // Skip terminal escape sequences (arrow keys and the like): ESC [ ... final letter.
          if (inEscape) {
            if (/[A-Za-z~]/.test(ch)) inEscape = false
            continue
          }
          if (ch === '\r' || ch === '\n') {
            finish(null, rest().replace(/^\n/, ''))
            return true
          }
          if (ch === '\u0003' || (ch === '\u0004' && value === '')) {
            finish(new CliError('cancelled', 130), '')
            return true
          }
          if (ch === '\u0004') {
            finish(null, rest())
            return true
          }
          if (ch === '\u007f' || ch === '\b') value = Array.from(value).slice(0, -1).join('')
          else if (ch === '\u0015') value = ''
          else if (ch === '\u001b') inEscape = true
          else if (!isControl(ch)) value += ch
        }
        return false
      }
      const onData = (chunk: Buffer | string) => {
        consume(String(chunk))
      }
      // Echo off before the prompt shows, so nothing typed in answer to it is ever echoed.
      stdin.setRawMode(true)
      stderr.write(prompt)
      stdin.on('data', onData)
      const pending = typedAhead
      typedAhead = ''
      if (!consume(pending)) stdin.resume()
    })
}

/**
 * A new password: asked twice without echo on a terminal, else the first line of stdin.
 * Never from argv, where it would land in shell history and `ps`.
 */
export const readNewPassword = async (io: CliIo, username: string): Promise<string> => {
  if (!io.stdin.isTTY) return validate(await readFromPipe(io.stdin))
  const ask = hiddenPrompt(io)
  const first = validate(await ask(`New password for ${username}: `))
  const second = await ask('Repeat the password: ')
  if (first !== second) throw new CliError('the passwords do not match')
  return first
}
