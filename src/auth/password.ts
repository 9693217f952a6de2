/**
 * Password hashes as PHC strings: `$pbkdf2-sha256$i=<iterations>$<salt>$<hash>` (standard base64,
 * no padding). PBKDF2 through WebCrypto is the one slow hash that Node, Bun and workerd all run
 * natively, so a hash written by the CLI on Node verifies on the edge too.
 *
 * bcrypt hashes (`$2a$`, `$2b$`, `$2y$`: the 2024 service's, written by passlib) verify too and are
 * never rewritten, since that service reads the same records. No runtime has bcrypt built in:
 * bcryptjs (pure JavaScript, so workerd runs it too) computes it, on Node and Bun on the hashing
 * threads (src/runtime/node/hashing.ts).
 */

import { hash as bcryptjsHash } from 'bcryptjs'
import { fromBase64, toBase64 } from '../lib/base64.js'
import { timingSafeEqual } from '../lib/timing-safe-equal.js'

/** OWASP's current minimum for PBKDF2-HMAC-SHA256. */
export const DEFAULT_PASSWORD_ITERATIONS = 600_000

const ID = 'pbkdf2-sha256'
const SALT_BYTES = 16
const HASH_BYTES = 32
/** Refuse stored work factors that would turn one login into a denial of service. */
const MAX_ITERATIONS = 10_000_000

const encoder = new TextEncoder()

/**
 * Who a password check is for: `low` when the client's address has failed logins counted or
 * another check running (login-throttle.ts), so a runtime that can (Node, Bun:
 * src/runtime/node/hashing.ts) gives that hash only the CPU nobody else wants.
 */
export type HashPriority = 'normal' | 'low'

/**
 * The slow functions a password check runs, injectable so that a runtime can run them elsewhere
 * than on the event loop. Both only compute; the verifier compares, in constant time.
 */
export interface Hasher {
  /** PBKDF2-HMAC-SHA256 of `password`: `bytes` bytes. */
  pbkdf2(
    password: string,
    salt: Uint8Array,
    iterations: number,
    bytes: number,
    priority: HashPriority,
  ): Promise<Uint8Array>
  /**
   * bcrypt of `password` with the version, cost and salt of `setting` (a stored `$2a$`/`$2b$`/`$2y$`
   * hash, or its first 29 characters): the whole 60-character hash string.
   */
  bcrypt(password: string, setting: string, priority: HashPriority): Promise<string>
}

/** WebCrypto's PBKDF2, on every runtime; it has no notion of priority. */
export const webCryptoPbkdf2: Hasher['pbkdf2'] = async (password, salt, iterations, bytes) => {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits'])
  const bits = await crypto.subtle.deriveBits(
    { name: 'PBKDF2', hash: 'SHA-256', salt: salt as BufferSource, iterations },
    key,
    bytes * 8,
  )
  return new Uint8Array(bits)
}

/**
 * bcryptjs on the calling thread (its asynchronous form, which yields to the event loop between
 * slices where the clock advances: not inside workerd, which has no threads to offer anyway).
 */
export const inlineBcrypt: Hasher['bcrypt'] = (password, setting) => bcryptjsHash(password, setting)

/** The hasher of a runtime without threads (workerd), and of tests: WebCrypto and inline bcryptjs. */
export const inlineHasher: Hasher = { pbkdf2: webCryptoPbkdf2, bcrypt: inlineBcrypt }

interface ParsedHash {
  iterations: number
  salt: Uint8Array
  hash: Uint8Array
}

/** The shape of our PHC string, its parameters not yet checked. */
const PBKDF2_SHAPE = /^\$pbkdf2-sha256\$i=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/
/** bcrypt's modular crypt format, as passlib, PHP (`$2y$`) and OpenBSD write it; any two-digit cost. */
const BCRYPT_SHAPE = /^(\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/

export const parseHash = (stored: string): ParsedHash | null => {
  const m = PBKDF2_SHAPE.exec(stored)
  if (!m || (m[1] as string).length > 8) return null
  const iterations = Number(m[1])
  const salt = fromBase64(m[2] as string)
  const hash = fromBase64(m[3] as string)
  if (!salt || !hash || iterations < 1 || iterations > MAX_ITERATIONS || hash.length < 16) return null
  return { iterations, salt, hash }
}

/** bcrypt costs outside this range are refused (the top one takes seconds; passlib writes 12). */
const MIN_BCRYPT_COST = 4
const MAX_BCRYPT_COST = 16

interface ParsedBcrypt {
  /** The work factor: 2^cost rounds. */
  cost: number
  /** The first 29 characters: `$2b$12$` and the 22-character salt. */
  setting: string
  /** The last 31: the digest. */
  digest: string
}

/** A bcrypt hash in modular crypt format, as passlib, PHP (`$2y$`) and OpenBSD write it. */
export const parseBcrypt = (stored: string): ParsedBcrypt | null => {
  const m = BCRYPT_SHAPE.exec(stored)
  if (!m) return null
  const cost = Number(m[2])
  if (cost < MIN_BCRYPT_COST || cost > MAX_BCRYPT_COST) return null
  return { cost, setting: m[1] as string, digest: m[3] as string }
}

/**
 * A stored value is a hash only when it has the shape of one of ours: our PBKDF2 PHC string (its
 * base64 decoding) or bcrypt's. Its parameters may still be refused (below a floor, absurd), but it
 * is never compared as text. Anything else is the old service's plain text, `$` first or not: a
 * plain-text password `$ecret` once never logged in, and `migrate-passwords` (which asks this)
 * called it already hashed (issue 19, item 7).
 */
export const isPasswordHash = (stored: string): boolean => {
  if (BCRYPT_SHAPE.test(stored)) return true
  const m = PBKDF2_SHAPE.exec(stored)
  return m !== null && fromBase64(m[2] as string) !== null && fromBase64(m[3] as string) !== null
}

/** A stored value that is not a hash string: the old service's plain text. */
export const isLegacyPlaintext = (stored: string): boolean => !isPasswordHash(stored)

/**
 * The weakest stored hash that still logs in; a weaker one is refused like a wrong password (issue
 * 19, item 3: a 1-iteration hash planted by whoever can write `users` must not open the account).
 * PBKDF2: every hash this project wrote has at least 600,000 iterations (PASSWORD_PBKDF2_ITERATIONS'
 * minimum since the first version); 100,000 keeps a margin for PHC strings written by other tools at
 * older recommendations, and is 100,000 times the attack's. bcrypt: passlib's default, and so the
 * 2024 service's, is 12; 10 is the default of bcryptjs, node.bcrypt, PHP and Spring, so records that
 * other tools wrote keep working, and a cost-4 (the minimum) plant does not.
 */
export interface HashFloors {
  pbkdf2Iterations: number
  bcryptCost: number
}

export const HASH_FLOORS: HashFloors = { pbkdf2Iterations: 100_000, bcryptCost: 10 }

export const hashPassword = async (password: string, iterations: number): Promise<string> => {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES))
  const hash = await webCryptoPbkdf2(password, salt, iterations, HASH_BYTES, 'normal')
  return `$${ID}$i=${iterations}$${toBase64(salt)}$${toBase64(hash)}`
}

export type Verification =
  /**
   * `refused`: why a matching password would not do either; the caller logs it with the user's
   * name (never the stored value). `weak hash`: below HASH_FLOORS. `plain text`: the record holds
   * plain text and LEGACY_PLAINTEXT_PASSWORDS=reject.
   */
  | { ok: false; refused?: 'weak hash' | 'plain text' }
  /** `rehash`: the record is plain text or weaker than policy; store a fresh hash. */
  | { ok: true; rehash: boolean }

export interface PasswordVerifier {
  verify(password: string, stored: string | null, priority?: HashPriority): Promise<Verification>
}

/** What a record that still holds plain text gets: one login that rewrites it, or never a login. */
export type LegacyPlaintext = 'accept' | 'reject'

/**
 * Every path costs one PBKDF2 run at policy strength: an unknown user is checked against a dummy
 * hash and a plain-text record is compared after a dummy run, so timing tells a client nothing.
 * A bcrypt record costs one bcrypt run at its own cost instead (the 2024 service's records), dearer
 * than the dummy: the login holds every failure to one time (failure-pace.ts), so that difference
 * tells a client nothing either. A hash
 * below `floors` costs the dummy run too, and is refused whatever the password.
 */
export const createPasswordVerifier = (
  iterations: number,
  legacy: LegacyPlaintext = 'accept',
  hasher: Hasher = inlineHasher,
  floors: HashFloors = HASH_FLOORS,
): PasswordVerifier => {
  let dummy: Promise<string> | undefined
  const dummyHash = () => {
    dummy ??= hashPassword(toBase64(crypto.getRandomValues(new Uint8Array(16))), iterations)
    return dummy
  }
  const checkAgainst = async (password: string, parsed: ParsedHash, priority: HashPriority) =>
    timingSafeEqual(
      await hasher.pbkdf2(password, parsed.salt, parsed.iterations, parsed.hash.length, priority),
      parsed.hash,
    )
  const dummyRun = async (password: string, priority: HashPriority) => {
    await checkAgainst(password, parseHash(await dummyHash()) as ParsedHash, priority)
  }
  const WEAK = { ok: false, refused: 'weak hash' } as const

  return {
    async verify(password, stored, priority = 'normal') {
      const bcrypt = stored === null ? null : parseBcrypt(stored)
      if (bcrypt) {
        if (bcrypt.cost < floors.bcryptCost) {
          await dummyRun(password, priority)
          return WEAK
        }
        // Only the digests are compared: the salt's last character has spare bits that an
        // implementation may write differently, the digest is what the password decides.
        const computed = (await hasher.bcrypt(password, bcrypt.setting, priority)).slice(29)
        const ok = timingSafeEqual(encoder.encode(computed), encoder.encode(bcrypt.digest))
        // Never rewritten: the 2024 service reads the same record (and its cost is its own).
        return ok ? { ok: true, rehash: false } : { ok: false }
      }
      const parsed = stored === null ? null : parseHash(stored)
      if (parsed && parsed.iterations >= floors.pbkdf2Iterations) {
        const ok = await checkAgainst(password, parsed, priority)
        return ok ? { ok: true, rehash: parsed.iterations < iterations } : { ok: false }
      }
      await dummyRun(password, priority)
      // Rejected records still cost the dummy run above: timing does not tell them apart.
      if (parsed) return WEAK
      if (stored === null || !isLegacyPlaintext(stored)) return { ok: false }
      if (legacy === 'reject') return { ok: false, refused: 'plain text' }
      const a = encoder.encode(password)
      const b = encoder.encode(stored)
      return timingSafeEqual(a, b) ? { ok: true, rehash: true } : { ok: false }
    },
  }
}
