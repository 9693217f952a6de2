import type { z } from 'zod'

/** The process environment, or a Worker's string bindings. */
export type Env = Record<string, string | undefined>

/** Empty strings mean "unset" for optional knobs, as in most .env files. */
export const withoutEmpty = (env: Env): Env =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))

/** Text copied from an example file instead of a secret: `<…>`, `replace-with-…`, `changeme`. */
const PLACEHOLDER = /^<.*>$|replace-with|change-?me|^(secret|example|password)$/i

/**
 * What is wrong with a secret, or null: an example file's placeholder (anyone can read it, so anyone
 * could forge tokens) or fewer than `minBytes` bytes. Never says the value.
 */
export const secretIssue = (value: string, minBytes: number): string | null => {
  if (PLACEHOLDER.test(value.trim()))
    return 'is the placeholder from an example file, not a secret (make one: openssl rand -hex 32)'
  const bytes = new TextEncoder().encode(value).length
  return bytes < minBytes ? `must be at least ${minBytes} bytes (got ${bytes})` : null
}

/** secretIssue as a start-up error line that names the variable. */
export const secretProblem = (name: string, value: string, minBytes: number): string | null => {
  const issue = secretIssue(value, minBytes)
  return issue && `${name}: ${issue}`
}

/** One line per problem, `VARIABLE: message`, for start-up errors. */
export const issueLines = (error: z.ZodError): string[] =>
  error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`)
