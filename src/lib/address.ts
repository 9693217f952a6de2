/** Client addresses and the proxies allowed to name them (TRUST_PROXY). */

/** Who may speak for the client in X-Forwarded-For: none, the nearest N proxies, or listed ones. */
export type TrustProxy = { hops: number } | { trusted: (address: string) => boolean } | null

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

const ipv4 = (address: string): number | null => {
  const m = IPV4.exec(address.replace(/^::ffff:/i, ''))
  if (!m) return null
  const parts = m.slice(1).map(Number)
  if (parts.some((p) => p > 255)) return null
  return parts.reduce((n, p) => n * 256 + p, 0)
}

/** `10.0.0.0/8`, `127.0.0.1`, `::1`: a matcher, or null when the text is none of these. */
export const parseAddressPattern = (text: string): ((address: string) => boolean) | null => {
  const [base = '', bits] = text.trim().split('/')
  const v4 = ipv4(base)
  if (v4 !== null) {
    const n = bits === undefined ? 32 : Number(bits)
    if (!Number.isInteger(n) || n < 0 || n > 32 || (bits !== undefined && !/^\d+$/.test(bits))) return null
    const size = 2 ** (32 - n)
    const start = v4 - (v4 % size)
    return (address) => {
      const a = ipv4(address)
      return a !== null && a >= start && a < start + size
    }
  }
  // IPv6: exact addresses only (no prefix), compared case-insensitively.
  if (bits === undefined && /^[0-9a-f:]+$/i.test(base) && base.includes(':')) {
    const want = base.toLowerCase()
    return (address) => address.toLowerCase() === want
  }
  return null
}

/**
 * The client's address: the socket's peer unless TRUST_PROXY lets proxies speak for it, as
 * Express's `trust proxy` does. The chain is the peer, then X-Forwarded-For from the right; with
 * `hops` N the Nth entry is the client, with a list the first entry that is not a trusted proxy.
 * A client can add entries on the left of the header, never remove the ones our proxies append.
 */
export const clientAddress = (peer: string, forwardedFor: string | undefined, trust: TrustProxy): string => {
  if (trust === null || !forwardedFor) return peer
  const chain = [
    peer,
    ...forwardedFor
      .split(',')
      .map((a) => a.trim())
      .filter(Boolean)
      .reverse(),
  ]
  if ('hops' in trust) return chain[Math.min(trust.hops, chain.length - 1)] as string
  const first = chain.findIndex((a) => !trust.trusted(a))
  return chain[first === -1 ? chain.length - 1 : first] as string
}
