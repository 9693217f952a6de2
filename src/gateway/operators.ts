import { isObject } from './envelope.js'
import { invalid } from './errors.js'

/** Operators that run JavaScript on the server: never from a remote caller. */
const FORBIDDEN_OPERATORS = new Set(['$where', '$function', '$accumulator'])
const MAX_DEPTH = 64

/** Walks a filter, update or pipeline, refusing server-side JavaScript and over-deep nesting. */
export const checkOperators = (value: unknown, where: string, depth = 0): void => {
  if (depth > MAX_DEPTH) throw invalid(`${where} is nested too deeply`)
  if (Array.isArray(value)) {
    for (const v of value) checkOperators(v, where, depth + 1)
  } else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      if (FORBIDDEN_OPERATORS.has(k)) throw invalid(`${where}: the operator ${k} is not allowed`)
      checkOperators(v, where, depth + 1)
    }
  }
}
