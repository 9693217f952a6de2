import { createHmac, timingSafeEqual } from 'node:crypto'
import type { JwtAlgorithm, SignatureCheckFor } from '../../auth/token.js'

const DIGEST: Record<JwtAlgorithm, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }

/**
 * node:crypto's HMAC for the Node and Bun entries: synchronous, a few microseconds on the event
 * loop, so a new token's first request never waits in the thread pool behind password hashes
 * (issue 7: under a login flood WebCrypto's verify took ~1 s on Node). Same answers as WebCrypto's.
 */
export const nodeSignatures: SignatureCheckFor = (secret, algorithm) => {
  const digest = DIGEST[algorithm]
  return (signingInput, signature) => {
    const mac = createHmac(digest, secret).update(signingInput).digest()
    return mac.length === signature.length && timingSafeEqual(mac, signature)
  }
}
