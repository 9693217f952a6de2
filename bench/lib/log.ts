/** Progress goes to stderr; stdout carries only the report. */
export const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`)

/** How deep a chain of causes is followed (a cycle stops there too). */
const MAX_CAUSES = 5

/** One error's own words: its message and, when it has one, its code (`ECONNRESET`, `UND_ERR_SOCKET`). */
const wordsOf = (e: unknown): string => {
  if (!(e instanceof Error)) return String(e)
  const code = (e as { code?: unknown }).code
  // An AggregateError (every address of a host refused) may have no message of its own.
  const own = e.message || (e instanceof AggregateError ? e.errors.map(wordsOf).join('; ') : '') || e.name
  return typeof code === 'string' && !own.includes(code) ? `${own} [${code}]` : own
}

/** The causes of an error, outermost first. */
const causesOf = (e: unknown): unknown[] => {
  const causes: unknown[] = []
  let cause = e instanceof Error ? e.cause : undefined
  while (cause !== undefined && causes.length < MAX_CAUSES) {
    causes.push(cause)
    cause = cause instanceof Error ? cause.cause : undefined
  }
  return causes
}

/**
 * An error's message and its causes on one line: Node's fetch says only `fetch failed`, and why
 * (`connect ECONNREFUSED …`, `other side closed`) is in its `cause`.
 */
export const errorText = (e: unknown): string =>
  [wordsOf(e), ...causesOf(e).map((c) => `cause: ${wordsOf(c)}`)].join('; ')

/** The stack (the message and where it was thrown), then one line per cause. */
export const errorReport = (e: unknown): string =>
  [
    e instanceof Error && e.stack ? e.stack : wordsOf(e),
    ...causesOf(e).map((c) => `cause: ${wordsOf(c)}`),
  ].join('\n')
