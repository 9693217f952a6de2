import { z } from '@hono/zod-openapi'

/** Which generations of clients a document describes (AUTH_GENERATIONS). */
export interface DocumentedGenerations {
  first: boolean
  second: boolean
  third: boolean
}

/** The media type every JSON answer is documented under; the wire adds `; charset=UTF-8`. */
export const JSON_MEDIA = 'application/json'

/**
 * A string the contract fixes word for word. The enum lives in the document only: the handlers
 * build these bodies from plain strings, and the drift check holds them to the words.
 */
export const word = (...values: [string, ...string[]]) => z.string().openapi({ enum: values })

/** Flask-JWT's error body, `status_code` mirroring the status. */
export const flaskJwtError = (status: number, errors: [string, ...string[]], description?: string) =>
  z
    .object({
      status_code: z
        .number()
        .int()
        .openapi({ enum: [status] }),
      error: word(...errors),
      description: description === undefined ? z.string().min(1) : word(description),
    })
    .strict()

export const errorOnly = (...values: [string, ...string[]]) => z.object({ error: word(...values) }).strict()

/** Flask-JWT-Extended's token faults. */
export const msgBody = z
  .object({ msg: z.string().min(1) })
  .strict()
  .openapi('Msg')

export const notFoundBody = errorOnly('Not found').openapi('NotFound')
export const serviceUnavailableBody = errorOnly('Service Unavailable').openapi('ServiceUnavailable')
export const internalErrorBody = errorOnly('Internal Server Error').openapi('InternalError')
export const methodNotAllowedBody = errorOnly('Method Not Allowed').openapi('MethodNotAllowed')

export const retryAfterHeader = {
  'Retry-After': {
    description: 'Seconds to wait before the next attempt.',
    required: true,
    schema: { type: 'string' as const, pattern: '^[1-9][0-9]*$' },
  },
}

/** A JSON response of one schema. */
export const json = <S extends z.ZodType>(schema: S, description: string) => ({
  description,
  content: { [JSON_MEDIA]: { schema } } as { 'application/json': { schema: S } },
})

/**
 * The first generation's schema, the second's, or either: what a document for these generations
 * says. Typed as the union so `hc<AppType>` keeps one type whatever AUTH_GENERATIONS is.
 */
export const byGeneration = <A extends z.ZodType, B extends z.ZodType>(
  g: DocumentedGenerations,
  first: A,
  second: B,
): z.ZodType<z.output<A> | z.output<B>> =>
  (g.first && g.second ? z.union([first, second]) : g.first ? first : second) as z.ZodType<
    z.output<A> | z.output<B>
  >

/** Answers every operation may give: an unexpected failure, the database gone. */
export const commonResponses = {
  500: json(internalErrorBody, 'An unexpected failure; logged with the request id, no detail here.'),
  503: {
    ...json(serviceUnavailableBody, 'The database cannot be reached; answered within a bounded time.'),
    headers: retryAfterHeader,
  },
}
