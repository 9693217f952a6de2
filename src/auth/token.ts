import { sign } from 'hono/jwt'
import { fromBase64Url } from '../lib/base64.js'

export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number]
/** An HMAC secret shorter than the hash's output weakens it (RFC 7518 §3.2). */
export const MIN_SECRET_BYTES = 32

export interface JwtConfig {
  secret: string
  algorithm: JwtAlgorithm
  /** Seconds from iat to exp. */
  expirationDelta: number
  /** Seconds from iat to nbf. */
  notBeforeDelta: number
  /** Seconds of clock skew tolerated on exp, nbf and iat. */
  leeway: number
  /** The scheme word of the Authorization header, matched case-insensitively. */
  authHeaderPrefix: string
  /** Seconds from iat to exp of a second-generation (Flask-JWT-Extended) token. */
  accessTokenExpires: number
  /** Minutes from iat to exp of a third-generation (FastAPI) token (JWT_EXP_DELTA_MINUTES). Absent: 15. */
  expDeltaMinutes?: number
}

/** Flask-JWT's payload, in its key order. */
export interface TokenPayload {
  exp: number
  iat: number
  nbf: number
  identity: string
}

/** A token PyJWT would refuse; `message` is PyJWT's own wording, which clients show. */
export class InvalidTokenError extends Error {
  override name = 'InvalidTokenError'
}

export const issueToken = (jwt: JwtConfig, identity: string, nowMs: number): Promise<string> => {
  const iat = Math.floor(nowMs / 1000)
  const payload: TokenPayload = {
    exp: iat + jwt.expirationDelta,
    iat,
    nbf: iat + jwt.notBeforeDelta,
    identity,
  }
  return sign({ ...payload }, jwt.secret, jwt.algorithm)
}

/** Flask-JWT-Extended's access-token payload, in its key order. */
export interface AccessTokenPayload {
  fresh: false
  iat: number
  jti: string
  type: 'access'
  sub: string
  nbf: number
  exp: number
}

/** A second-generation token, as Flask-JWT-Extended's `create_access_token(identity)` wrote it. */
export const issueAccessToken = (jwt: JwtConfig, sub: string, nowMs: number): Promise<string> => {
  const iat = Math.floor(nowMs / 1000)
  const payload: AccessTokenPayload = {
    fresh: false,
    iat,
    jti: crypto.randomUUID(),
    type: 'access',
    sub,
    nbf: iat,
    exp: iat + jwt.accessTokenExpires,
  }
  return sign({ ...payload }, jwt.secret, jwt.algorithm)
}

/**
 * A third-generation token, as the 2024 service's `POST /token` wrote it (`{"sub", "exp"}`), with
 * `iat` added so that a password change refuses it like the others.
 */
export const issueBearerToken = (jwt: JwtConfig, sub: string, nowMs: number): Promise<string> => {
  const iat = Math.floor(nowMs / 1000)
  return sign({ sub, exp: iat + (jwt.expDeltaMinutes ?? 15) * 60, iat }, jwt.secret, jwt.algorithm)
}

/**
 * Whether a verified token predates its user's last password change or creation: its `iat` is
 * earlier than `validFrom` (the record's `password_changed_at`, the first second after the change).
 * A token without `iat` (the 2024 service's `{sub, exp}`) is refused once a change is recorded:
 * nothing in it says when it was issued, and such a token lives only JWT_EXP_DELTA_MINUTES.
 */
export const issuedBefore = (payload: Record<string, unknown>, validFrom: number | undefined): boolean =>
  validFrom !== undefined && !(typeof payload.iat === 'number' && payload.iat >= validFrom)

/** The longest a login waits for the second of a password change to pass (see issueSchedule). */
export const MAX_ISSUE_WAIT_MS = 1000
/**
 * How far ahead of our clock a recorded change may be and still be taken for one just made where
 * the clock is a little ahead of ours (the CLI on another host); further is a clock far off or a
 * bad record, and is ignored here.
 */
export const MAX_CHANGE_AHEAD_MS = 5000

/**
 * When a login may issue a token that its user's `validFrom` accepts. A token issued in the very
 * second of a change would carry that second's `iat` and be refused, so a login in that second
 * waits for the next: `waitMs`, at most a second, and only right after a change. The token then
 * says it was issued at `notBeforeMs` or later; that is `validFrom` itself when the change was
 * recorded by a clock ahead of ours, so the token is "not yet valid (iat)" for that difference
 * instead of refused for good as older than the change. Nothing to wait for: both 0.
 */
export const issueSchedule = (
  validFrom: number | undefined,
  nowMs: number,
): { waitMs: number; notBeforeMs: number } => {
  const ahead = validFrom === undefined ? 0 : validFrom * 1000 - nowMs
  if (ahead <= 0 || ahead > MAX_CHANGE_AHEAD_MS) return { waitMs: 0, notBeforeMs: 0 }
  return { waitMs: Math.min(ahead, MAX_ISSUE_WAIT_MS), notBeforeMs: nowMs + ahead }
}

/** The time claims a scheme requires: Flask-JWT all three; Bearer (PyJWT's defaults) only `exp`. */
export type TimeClaim = 'exp' | 'iat' | 'nbf'
export const FLASK_JWT_CLAIMS: readonly TimeClaim[] = ['exp', 'iat', 'nbf']
export const BEARER_CLAIMS: readonly TimeClaim[] = ['exp']

const HASH: Record<JwtAlgorithm, string> = { HS256: 'SHA-256', HS384: 'SHA-384', HS512: 'SHA-512' }

const decoder = new TextDecoder('utf-8', { fatal: true })
const encoder = new TextEncoder()

/**
 * A segment's JSON object. Anything else is PyJWT's `Invalid header string: must be a json object`
 * (or `payload`), text that does not parse included: PyJWT words that case with Python's own parser
 * message, and ours would be the runtime's (V8's and JavaScriptCore's differ, and quote the input),
 * so the description stays the same whatever the runtime and the bytes.
 */
const parseJsonObject = (bytes: Uint8Array, what: 'header' | 'payload'): Record<string, unknown> => {
  let value: unknown
  try {
    value = JSON.parse(decoder.decode(bytes))
  } catch {
    value = undefined
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidTokenError(`Invalid ${what} string: must be a json object`)
  }
  return value as Record<string, unknown>
}

const CLAIM_NAMES = { exp: 'Expiration Time', iat: 'Issued At', nbf: 'Not Before' } as const

const numericClaim = (payload: Record<string, unknown>, claim: keyof typeof CLAIM_NAMES): number => {
  const v = payload[claim]
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new InvalidTokenError(`${CLAIM_NAMES[claim]} claim (${claim}) must be an integer.`)
  }
  return v
}

/** Verified tokens remembered per app: a few MB at most. */
const MAX_VERIFIED = 10_000

export interface TokenVerifier {
  /**
   * Resolves to the payload, or throws InvalidTokenError with PyJWT's message. `required`: the time
   * claims that must be present (default: Flask-JWT's three).
   */
  verify(token: string, nowMs: number, required?: readonly TimeClaim[]): Promise<Record<string, unknown>>
  /**
   * The payload of a token `verify` passed before, if its claims still pass at `nowMs`, with no
   * promise; `undefined` for anything else (`verify` then says why). For the app's short way.
   */
  known(token: string, nowMs: number, required?: readonly TimeClaim[]): Record<string, unknown> | undefined
}

/** Whether `signature` is the HMAC of `signingInput`, compared in constant time. */
export type SignatureCheck = (signingInput: string, signature: Uint8Array) => boolean | Promise<boolean>
/** Makes the check for one secret and algorithm, once per app. */
export type SignatureCheckFor = (secret: string, algorithm: JwtAlgorithm) => SignatureCheck

/**
 * WebCrypto's HMAC, which every runtime has. On Node it runs in libuv's thread pool, where it waits
 * behind password hashes during a login flood; the Node and Bun entries pass node:crypto's
 * synchronous HMAC instead (runtime/node/signatures.ts), which costs microseconds on the event loop.
 */
export const webCryptoSignatures: SignatureCheckFor = (secret, algorithm) => {
  // The key is imported once.
  const key = crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: HASH[algorithm] },
    false,
    ['verify'],
  )
  return async (signingInput, signature) =>
    crypto.subtle.verify('HMAC', await key, signature as BufferSource, encoder.encode(signingInput))
}

/**
 * Verifies the way PyJWT does for Flask-JWT, in PyJWT's order and with its messages: structure,
 * then the pinned algorithm, then the signature, and only then the payload and its claims, so a
 * forged token learns nothing about its claims.
 */
export const createTokenVerifier = (
  jwt: JwtConfig,
  signatures: SignatureCheckFor = webCryptoSignatures,
): TokenVerifier => {
  const signatureMatches = signatures(jwt.secret, jwt.algorithm)
  const present = (payload: Record<string, unknown>, claim: TimeClaim) =>
    payload[claim] !== undefined && payload[claim] !== null
  const checkClaims = (payload: Record<string, unknown>, required: readonly TimeClaim[]) => {
    for (const claim of required) {
      if (!present(payload, claim)) throw new InvalidTokenError(`Token is missing the "${claim}" claim`)
    }
  }
  // A claim present is checked whatever the scheme, as PyJWT checks every claim it finds.
  const checkTimes = (payload: Record<string, unknown>, nowMs: number) => {
    const now = Math.floor(nowMs / 1000)
    const leeway = jwt.leeway
    if (present(payload, 'iat') && numericClaim(payload, 'iat') > now + leeway)
      throw new InvalidTokenError('The token is not yet valid (iat)')
    if (present(payload, 'nbf') && numericClaim(payload, 'nbf') > now + leeway)
      throw new InvalidTokenError('The token is not yet valid (nbf)')
    if (present(payload, 'exp') && numericClaim(payload, 'exp') <= now - leeway)
      throw new InvalidTokenError('Signature has expired')
  }
  // Tokens that passed every check, by their exact text. A client sends the same token for minutes
  // and WebCrypto's HMAC was the largest single cost of a request on Node (see bench/README.md);
  // the time claims are still checked on every request. Only signed tokens get here, so the map
  // cannot be filled by forgeries; it is bounded anyway.
  const verified = new Map<string, Record<string, unknown>>()
  let last: { token: string; payload?: Record<string, unknown> } = { token: '' }

  return {
    known(token, nowMs, required = FLASK_JWT_CLAIMS) {
      // The token asked for last, compared before the map: a client sends one token for minutes, and
      // the map hashes every new string of ~200 characters (the header's) to find it.
      const again = token === last.token
      const known = again ? last.payload : verified.get(token)
      if (known === undefined) return undefined
      try {
        checkClaims(known, required)
        checkTimes(known, nowMs)
      } catch {
        return undefined
      }
      if (!again) last = { token, payload: known }
      return known
    },
    async verify(token, nowMs, required = FLASK_JWT_CLAIMS) {
      const known = verified.get(token)
      if (known) {
        try {
          checkClaims(known, required)
          checkTimes(known, nowMs)
        } catch (e) {
          verified.delete(token)
          throw e
        }
        return known
      }
      const lastDot = token.lastIndexOf('.')
      const firstDot = token.indexOf('.')
      if (firstDot === -1 || firstDot === lastDot) throw new InvalidTokenError('Not enough segments')
      const signingInput = token.slice(0, lastDot)

      const headerBytes = fromBase64Url(token.slice(0, firstDot))
      if (!headerBytes) throw new InvalidTokenError('Invalid header padding')
      const header = parseJsonObject(headerBytes, 'header')
      const payloadBytes = fromBase64Url(token.slice(firstDot + 1, lastDot))
      if (!payloadBytes) throw new InvalidTokenError('Invalid payload padding')
      const signature = fromBase64Url(token.slice(lastDot + 1))
      if (!signature) throw new InvalidTokenError('Invalid crypto padding')

      if (header.alg !== jwt.algorithm) throw new InvalidTokenError('The specified alg value is not allowed')
      if (!(await signatureMatches(signingInput, signature)))
        throw new InvalidTokenError('Signature verification failed')

      const payload = parseJsonObject(payloadBytes, 'payload')
      checkClaims(payload, required)
      checkTimes(payload, nowMs)
      if (verified.size >= MAX_VERIFIED) verified.delete(verified.keys().next().value as string)
      verified.set(token, payload)
      return payload
    },
  }
}
