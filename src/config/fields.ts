import { z } from 'zod'
import { parseAddressPattern, type TrustProxy } from '../lib/address.js'
import type { LogLevel } from '../lib/logger.js'
import { type Env, secretIssue } from './env.js'

/**
 * The shapes environment variables come in, so that each variable of a schema is one line: its
 * name, its shape, its bounds and its default. Every helper builds the same zod chain the variables
 * were declared with one by one, so values and messages are zod's, unchanged.
 */

/** A whole number from `min` to `max`; `tooSmall` replaces zod's message below `min`. */
export const int = (min: number, max: number, tooSmall?: string) =>
  z.coerce.number().int().min(min, tooSmall).max(max)

/** A whole number from `min` to `max`, `fallback` when unset. */
export const intIn = (min: number, max: number, fallback: number) => int(min, max).default(fallback)

/** Milliseconds from `min` to `max`, `fallback` when unset. */
export const millis = intIn

/** A TCP port; 0 lets the kernel choose. */
export const port = (fallback: number) => intIn(0, 65535, fallback)

/** Seconds from 0 (a year at most), `fallback` when unset. */
export const seconds = (fallback: number, max = 31_536_000) => intIn(0, max, fallback)

/** Seconds from 1 (a year at most): a lifetime, which 0 would end at once. */
export const positiveSeconds = (fallback: number) =>
  seconds(fallback).refine((v) => v > 0, 'must be at least 1')

/** One of `values`, exactly as written, `fallback` when unset. */
export const oneOf = <const T extends readonly [string, ...string[]]>(values: T, fallback: T[number]) =>
  z.enum(values).default(fallback as never)

/** `on` or `off`. */
export const onOff = (fallback: 'on' | 'off') => oneOf(['on', 'off'], fallback)

const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const satisfies readonly LogLevel[]

/** LOG_LEVEL: the same five words on every entry. */
export const logLevel = () => oneOf(LOG_LEVELS, 'info')

/** Text that is not blank once trimmed (a host name). */
export const word = (fallback: string) => z.string().trim().min(1).default(fallback)

/** Trimmed text matching `pattern`, `message` otherwise. */
export const matching = (pattern: RegExp, message: string, fallback: string) =>
  z.string().trim().regex(pattern, message).default(fallback)

/** Trimmed text; blank is unset. */
export const optionalText = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((v) => (v === '' ? undefined : v))

const MONGODB_URI_PATTERN = /^mongodb(\+srv)?:\/\//
const MONGODB_URI_MESSAGE = 'must start with mongodb:// or mongodb+srv://'

/** A MongoDB connection string, or unset. */
export const optionalMongoUri = () =>
  optionalText().pipe(z.string().regex(MONGODB_URI_PATTERN, MONGODB_URI_MESSAGE).optional())

/** A MongoDB connection string that must be set; `missing` says what for. */
export const requiredMongoUri = (missing: string) =>
  z.string({ error: missing }).trim().regex(MONGODB_URI_PATTERN, MONGODB_URI_MESSAGE)

/** A Data API dataSource name (the gateway's and the Worker's DATA_API_DATA_SOURCE). */
export const dataSource = () =>
  matching(/^[A-Za-z0-9_-]{1,64}$/, 'must be a name (letters, digits, _ and -)', 'mongodb-atlas')

/** A shared secret of `minBytes` bytes or more, never an example file's placeholder; or unset. */
export const optionalSecret = (minBytes: number) =>
  z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      const issue = value === undefined ? null : secretIssue(value, minBytes)
      if (issue) ctx.addIssue(issue)
    })

/** `*` (any origin), or a comma-separated list of origins: scheme://host[:port]. */
export const origins = () =>
  z
    .string()
    .default('*')
    .transform((raw, ctx): '*' | string[] => {
      const text = raw.trim()
      if (text === '*') return '*'
      const list = text
        .split(',')
        .map((o) => o.trim())
        .filter(Boolean)
      const bad = list.filter((o) => !/^https?:\/\/[^/\s]+$/.test(o))
      if (bad.length > 0) ctx.addIssue(`not an origin (scheme://host[:port]): ${bad.join(', ')}`)
      return list
    })

/** A hop count, or a comma-separated list of proxy addresses and CIDRs (IPv4, IPv6); unset, 0 or false: none. */
export const trustProxy = () =>
  z
    .string()
    .trim()
    .optional()
    .transform((text, ctx): TrustProxy => {
      if (text === undefined || text === '0' || text === 'false') return null
      if (/^\d{1,2}$/.test(text)) return { hops: Number(text) }
      const patterns = text
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean)
      const matchers = patterns.map(parseAddressPattern)
      const bad = patterns.filter((_, i) => matchers[i] === null)
      // Every entry must be one: a typo trusting nothing (or a name, which is never a peer) would
      // leave every client counted as the proxy's address, one shared login throttle for all.
      if (patterns.length === 0) ctx.addIssue('must be a hop count or a list of proxy addresses and CIDRs')
      else if (bad.length > 0)
        ctx.addIssue(`not a hop count, an IPv4 or IPv6 address or CIDR: ${bad.join(', ')}`)
      return { trusted: (a) => matchers.some((m) => m?.(a)) }
    })

/**
 * Checks over several variables, to intersect with a schema of one line per variable: they get the
 * environment as given and run even where a variable is bad (zod skips an object's own refinements
 * once a field fails some checks, .int() among them), so one run names every problem. Adds nothing
 * to the parsed values.
 */
export const acrossVariables = (check: (env: Env, ctx: z.RefinementCtx) => void) =>
  z.record(z.string(), z.string().optional()).transform((env, ctx) => {
    check(env, ctx)
    return {}
  })
