import type { z } from 'zod'

/** The process environment, or a Worker's string bindings. */
export type Env = Record<string, string | undefined>

/** Empty strings mean "unset" for optional knobs, as in most .env files. */
export const withoutEmpty = (env: Env): Env =>
  Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))

/** One line per problem, `VARIABLE: message`, for start-up errors. */
export const issueLines = (error: z.ZodError): string[] =>
  error.issues.map((issue) => `${issue.path.join('.') || 'environment'}: ${issue.message}`)
