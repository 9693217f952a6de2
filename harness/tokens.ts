import { createHmac } from 'node:crypto'

const b64url = (data: string | Buffer): string => Buffer.from(data).toString('base64url')

const HMAC_HASH = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const

/**
 * Builds tokens by hand, including ones our signer would never make (alg none, missing claims,
 * odd headers), as an attacker or another library would.
 */
export const craftToken = (
  payload: Record<string, unknown> | string,
  secret: string,
  { alg = 'HS256', header }: { alg?: string; header?: Record<string, unknown> } = {},
): string => {
  const h = b64url(JSON.stringify(header ?? { alg, typ: 'JWT' }))
  const p = b64url(typeof payload === 'string' ? payload : JSON.stringify(payload))
  const hash = HMAC_HASH[alg as keyof typeof HMAC_HASH]
  const sig = hash ? createHmac(hash, secret).update(`${h}.${p}`).digest('base64url') : ''
  return `${h}.${p}.${sig}`
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000)

export const claims = (identity: string, overrides: Record<string, unknown> = {}) => {
  const iat = nowSeconds()
  return { exp: iat + 300, iat, nbf: iat, identity, ...overrides }
}

export const decodePart = (token: string, index: 0 | 1): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[index] as string, 'base64url').toString('utf8'))
