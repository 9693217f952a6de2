/** Client addresses, how they are grouped for counting, and the proxies allowed to name them (TRUST_PROXY). */

/** Who may speak for the client in X-Forwarded-For: none, the nearest N proxies, or listed ones. */
export type TrustProxy = { hops: number } | { trusted: (address: string) => boolean } | null

// Strict octets: no leading zeros, which some parsers read as octal (010 = 8) and others as decimal.
const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const IPV4 = new RegExp(`^${OCTET}\\.${OCTET}\\.${OCTET}\\.${OCTET}$`)

const dotted = (text: string): number | null => {
  const m = IPV4.exec(text)
  return m ? m.slice(1).reduce((n, p) => n * 256 + Number(p), 0) : null
}

/** The eight 16-bit groups of an IPv6 address in text (RFC 4291 2.2: `::` once, an IPv4 tail), or null. */
const ipv6Groups = (text: string): number[] | null => {
  const halves = text.split('::')
  if (halves.length > 2) return null
  const part = (s: string, last: boolean): number[] | null => {
    if (s === '') return []
    const out: number[] = []
    const pieces = s.split(':')
    for (const [i, p] of pieces.entries()) {
      const v4 = last && i === pieces.length - 1 && p.includes('.') ? dotted(p) : null
      if (v4 !== null) out.push(Math.floor(v4 / 65536), v4 % 65536)
      else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(Number.parseInt(p, 16))
      else return null
    }
    return out
  }
  const head = part(halves[0] ?? '', halves.length === 1)
  const tail = halves.length === 2 ? part(halves[1] ?? '', true) : []
  if (!head || !tail) return null
  if (halves.length === 1) return head.length === 8 ? head : null
  const zeros = 8 - head.length - tail.length
  return zeros >= 1 ? [...head, ...Array<number>(zeros).fill(0), ...tail] : null
}

/** An IPv4 address as a number; IPv4-mapped IPv6 (`::ffff:10.0.0.1`, `::ffff:a00:1`) counts as IPv4. */
const ipv4 = (address: string): number | null => {
  const plain = dotted(address)
  if (plain !== null) return plain
  const g = address.includes(':') ? ipv6Groups(address) : null
  if (!g || g.slice(0, 5).some((x) => x !== 0) || g[5] !== 0xffff) return null
  return (g[6] ?? 0) * 65536 + (g[7] ?? 0)
}

const ipv6 = (address: string): bigint | null => {
  const g = ipv6Groups(address)
  return g ? g.reduce((n, x) => (n << 16n) + BigInt(x), 0n) : null
}

/**
 * Whom a client address is counted as, for login throttling: an IPv4 address (an IPv4-mapped IPv6
 * one too) as itself, an IPv6 address as its /64, the smallest block an ISP hands one customer
 * (RFC 6177), so a client cannot get a fresh count per address of its own subnet; a zone (`%eth0`)
 * is dropped. Anything else (`unknown`) is kept as given.
 */
export const addressGroup = (address: string): string => {
  const bare = address.replace(/%.*$/, '')
  const v4 = ipv4(bare)
  if (v4 !== null) return [24, 16, 8, 0].map((s) => Math.floor(v4 / 2 ** s) % 256).join('.')
  const g = ipv6Groups(bare)
  if (!g) return address
  return `${g
    .slice(0, 4)
    .map((x) => x.toString(16))
    .join(':')}::/64`
}

const prefixBits = (bits: string | undefined, max: number): number | null => {
  if (bits === undefined) return max
  if (!/^\d{1,3}$/.test(bits)) return null
  const n = Number(bits)
  return n <= max ? n : null
}

/**
 * `10.0.0.0/8`, `127.0.0.1`, `::1`, `fd00::/8`: a matcher, or null when the text is none of these
 * (a host name, `::1::2`, `01.2.3.4`, a prefix too long, a zone). Bits set past the prefix are
 * ignored, as Express's proxy-addr does.
 */
export const parseAddressPattern = (text: string): ((address: string) => boolean) | null => {
  const [base = '', bits, extra] = text.trim().split('/')
  if (extra !== undefined) return null
  const v4 = dotted(base)
  if (v4 !== null) {
    const n = prefixBits(bits, 32)
    if (n === null) return null
    const size = 2 ** (32 - n)
    const start = v4 - (v4 % size)
    return (address) => {
      const a = ipv4(address)
      return a !== null && a >= start && a < start + size
    }
  }
  const v6 = base.includes(':') ? ipv6(base) : null
  const n = prefixBits(bits, 128)
  if (v6 === null || n === null) return null
  const shift = BigInt(128 - n)
  const want = v6 >> shift
  return (address) => {
    const a = ipv6(address.replace(/%.*$/, ''))
    return a !== null && a >> shift === want
  }
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
