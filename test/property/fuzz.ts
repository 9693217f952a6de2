import fc from 'fast-check'

/**
 * The property tests' budget: a fixed seed and a small number of runs in `npm test`, so a run is
 * reproducible and quick. `FUZZ_RUNS=5000` runs every property longer; `FUZZ_SEED=<n>` explores
 * other inputs (a failure prints the seed and path that replay it).
 */
export const fuzzParams = (defaultRuns: number): fc.Parameters<unknown> => {
  const runs = Number(process.env.FUZZ_RUNS)
  const seed = Number(process.env.FUZZ_SEED)
  return {
    numRuns: Number.isInteger(runs) && runs > 0 ? runs : defaultRuns,
    seed: Number.isInteger(seed) ? seed : 20201209,
  }
}

/** Rejects when `promise` takes longer than `ms`: a hang is a failure with the input that caused it. */
export const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms (a hang)`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** A character a header value may hold (fetch's Headers refuses NUL, CR, LF and anything past U+00FF). */
const headerChar = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) },
  { weight: 1, arbitrary: fc.constantFrom('\t', ' ', '\x7f', '\x01', '\x1f', '\xa0', '\x85') },
)

/** Any string fetch lets a client send as a header value. */
export const headerValue = (maxLength = 60) => fc.string({ unit: headerChar, maxLength })

/** Strings of every kind: ASCII, any Unicode code point, control characters. */
export const anyString = (maxLength = 40) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.string({ unit: 'grapheme', maxLength }),
    fc.string({ unit: 'binary-ascii', maxLength }),
  )
