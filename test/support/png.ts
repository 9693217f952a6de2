import { inflateSync } from 'node:zlib'

export interface PngStats {
  width: number
  height: number
  /** Distinct RGB colours (alpha ignored). */
  colours: number
  /** Share of pixels that are not (near) white, 0..1. */
  inked: number
}

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

/** The PNG filter predictor (RFC 2083, 6.6). */
const paeth = (a: number, b: number, c: number) => {
  const p = a + b - c
  const pa = Math.abs(p - a)
  const pb = Math.abs(p - b)
  const pc = Math.abs(p - c)
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
}

/** Undoes the per-row filters of 8-bit, non-interlaced image data. */
const unfilter = (data: Buffer, width: number, height: number, bpp: number): Buffer => {
  const stride = width * bpp
  const out = Buffer.alloc(stride * height)
  for (let y = 0; y < height; y++) {
    const type = data[y * (stride + 1)] as number
    const row = data.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1))
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? (out[y * stride + x - bpp] as number) : 0
      const b = y > 0 ? (out[(y - 1) * stride + x] as number) : 0
      const c = x >= bpp && y > 0 ? (out[(y - 1) * stride + x - bpp] as number) : 0
      const predictor = [0, a, b, (a + b) >> 1, paeth(a, b, c)][type]
      if (predictor === undefined) throw new Error(`PNG: unknown filter type ${type}`)
      out[y * stride + x] = ((row[x] as number) + predictor) & 0xff
    }
  }
  return out
}

/**
 * Colour statistics of a screenshot, decoded with node:zlib alone: enough to tell a rendered page
 * from a blank one. Handles what browsers write (8-bit RGB or RGBA, not interlaced).
 */
export const pngStats = (png: Buffer): PngStats => {
  if (!png.subarray(0, 8).equals(SIGNATURE)) throw new Error('not a PNG')
  let width = 0
  let height = 0
  let bpp = 0
  const idat: Buffer[] = []
  for (let at = 8; at < png.length; ) {
    const length = png.readUInt32BE(at)
    const type = png.toString('latin1', at + 4, at + 8)
    const body = png.subarray(at + 8, at + 8 + length)
    if (type === 'IHDR') {
      width = body.readUInt32BE(0)
      height = body.readUInt32BE(4)
      const [depth, colourType, , , interlace] = [body[8], body[9], body[10], body[11], body[12]]
      if (depth !== 8 || interlace !== 0 || (colourType !== 2 && colourType !== 6))
        throw new Error(`PNG: unsupported depth ${depth}, colour type ${colourType}, interlace ${interlace}`)
      bpp = colourType === 6 ? 4 : 3
    } else if (type === 'IDAT') idat.push(body)
    at += 12 + length
  }
  const pixels = unfilter(inflateSync(Buffer.concat(idat)), width, height, bpp)
  const colours = new Set<number>()
  let inked = 0
  for (let i = 0; i < pixels.length; i += bpp) {
    const [r, g, b] = [pixels[i] as number, pixels[i + 1] as number, pixels[i + 2] as number]
    colours.add((r << 16) | (g << 8) | b)
    if (r < 240 || g < 240 || b < 240) inked++
  }
  return { width, height, colours: colours.size, inked: inked / (width * height) }
}

/** What a rendered page has and a blank one lacks: some ink, in more than a handful of colours. */
export const looksRendered = (s: PngStats): boolean => s.inked > 0.01 && s.colours > 16
