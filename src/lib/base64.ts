/** Base64 without Buffer, so the same code runs on Node, Bun and workerd. */

/** Standard alphabet, no padding (the PHC string format). */
export const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes)).replace(/=+$/, '')

/** Standard alphabet, padding optional; null for anything else. */
export const fromBase64 = (text: string): Uint8Array | null => {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.replace(/=+$/, '').length % 4 === 1) return null
  const bare = text.replace(/=+$/, '')
  return Uint8Array.from(atob(bare.padEnd(Math.ceil(bare.length / 4) * 4, '=')), (c) => c.charCodeAt(0))
}

/** URL-safe alphabet, no padding (JWT segments, ETags). */
export const toBase64Url = (bytes: Uint8Array): string =>
  toBase64(bytes).replace(/\+/g, '-').replace(/\//g, '_')

/** URL-safe alphabet without padding, as JWT segments are; null for anything else. */
export const fromBase64Url = (segment: string): Uint8Array | null => {
  if (!/^[A-Za-z0-9_-]*$/.test(segment)) return null
  return fromBase64(segment.replace(/-/g, '+').replace(/_/g, '/'))
}
