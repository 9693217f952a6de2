// Connection strings and driver messages as the CLI prints them: never a password.

const SCHEME = /^mongodb(?:\+srv)?:\/\//

/**
 * `user` and `password` of a connection string. Up to the last `@`: a password with an unescaped
 * `@` is invalid, but must not leak its tail either (over-redacting is the safe side).
 */
const credentialsOf = (uri: string): { prefix: string; user: string; password: string } | null => {
  const scheme = SCHEME.exec(uri)?.[0]
  const at = uri.lastIndexOf('@')
  if (!scheme || at < scheme.length) return null
  const credentials = uri.slice(scheme.length, at)
  const colon = credentials.indexOf(':')
  if (colon < 0) return null
  return { prefix: scheme, user: credentials.slice(0, colon), password: credentials.slice(colon + 1) }
}

export const redactUri = (uri: string): string => {
  const c = credentialsOf(uri)
  return c ? `${c.prefix}${c.user}:***${uri.slice(uri.lastIndexOf('@'))}` : uri
}

/**
 * Driver messages are not ours: where one repeats the connection string's userinfo (`user:password@`,
 * as written or decoded), the password becomes `***`. Nothing else is touched: replacing every
 * occurrence of a short password's text mangled host names and showed where its letters were.
 */
export const redactDetail = (detail: string, uri: string): string => {
  let text = detail.split('\n')[0]?.trim() || 'unknown error'
  const c = credentialsOf(uri)
  if (!c) return text
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s
    }
  }
  for (const [user, password] of [
    [c.user, c.password],
    [decode(c.user), decode(c.password)],
  ] as const) {
    if (password !== '') text = text.split(`${user}:${password}@`).join(`${user}:***@`)
  }
  return text
}
