import assert from 'node:assert/strict'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'

/** The parts of an OpenAPI 3.1 document the check reads. */
interface HeaderObject {
  required?: boolean
  schema?: object
}
interface ResponseObject {
  headers?: Record<string, HeaderObject>
  content?: Record<string, { schema?: object }>
  'x-status'?: number
}
interface Operation {
  responses?: Record<string, ResponseObject>
}
export interface OpenApiDocument {
  openapi: string
  paths?: Record<string, Record<string, Operation>>
  components?: { responses?: Record<string, ResponseObject> }
}

/** One answer as a client saw it. */
export interface Observed {
  method: string
  /** The path as requested, query included. */
  path: string
  status: number
  headers: Headers
  body: string
}

const DOC_ID = 'https://holodule.test/openapi.json'
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']

/** A JSON Pointer's segments as a URI fragment's: `~` and `/` escaped, then what a URI cannot hold. */
const segments = (...parts: string[]) =>
  parts.map((s) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')
const pointer = (...parts: string[]) => `#/${segments(...parts)}`

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
/** `/holodules/{date}` as a regular expression over the request's path: a parameter is one segment. */
const templateRegExp = (template: string) =>
  new RegExp(
    `^${template
      .split(/\{[^}]+\}/)
      .map(escapeRegExp)
      .join('[^/]+')}$`,
  )

/**
 * Checks answers against the document the server itself serves: the status is documented for
 * that path and method, every required header is there and every documented one matches its
 * schema, and the body is what the documented content says (JSON valid under its schema, or
 * none). Answers no operation gives (an unknown path, another method, a CORS preflight) must be
 * the document's global responses (components.responses with `x-status`).
 */
export const createConformance = (document: OpenApiDocument) => {
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false, validateFormats: false })
  ajv.addSchema(document as object, DOC_ID)
  const compiled = new Map<string, ValidateFunction>()
  const validatorAt = (ref: string) => {
    let v = compiled.get(ref)
    if (!v) {
      v = ajv.compile({ $ref: `${DOC_ID}${ref}` })
      compiled.set(ref, v)
    }
    return v
  }
  const templates = Object.keys(document.paths ?? {})
    .map((t) => ({ template: t, re: templateRegExp(t), literal: !t.includes('{') }))
    // A literal path wins over a template that also matches it.
    .sort((a, b) => Number(b.literal) - Number(a.literal))

  const global = (name: string): [ResponseObject, string] => {
    const r = document.components?.responses?.[name]
    assert.ok(r, `the document has no components.responses.${name}`)
    return [r, pointer('components', 'responses', name)]
  }

  /** The documented response for this answer, where it is in the document, or why there is none. */
  const find = (o: Observed): [ResponseObject, string] | string => {
    const path = o.path.split('?')[0] as string
    const method = o.method.toLowerCase()
    if (method === 'options') return global('CorsPreflight')
    const match = templates.find((t) => t.re.test(path))
    if (!match) return global('NotFound')
    const item = document.paths?.[match.template] ?? {}
    const op = item[method]
    if (!op) return METHODS.some((m) => item[m]) ? global('MethodNotAllowed') : global('NotFound')
    const status = String(o.status)
    const r = op.responses?.[status]
    if (!r) {
      const documented = Object.keys(op.responses ?? {}).join(', ')
      return `status ${status} is not documented for ${method.toUpperCase()} ${match.template} (documented: ${documented})`
    }
    return [r, pointer('paths', match.template, method, 'responses', status)]
  }

  const check = (o: Observed): string[] => {
    const found = find(o)
    if (typeof found === 'string') return [found]
    const [response, at] = found
    const problems: string[] = []
    const xStatus = response['x-status']
    if (xStatus !== undefined && xStatus !== o.status) {
      problems.push(`${at} is status ${xStatus}, the answer was ${o.status}`)
    }
    for (const [name, header] of Object.entries(response.headers ?? {})) {
      const value = o.headers.get(name)
      if (value === null) {
        if (header.required) problems.push(`header ${name} is required by ${at}, and missing`)
        continue
      }
      if (header.schema) {
        const v = validatorAt(`${at}/${segments('headers', name, 'schema')}`)
        if (!v(value)) problems.push(`header ${name}: ${JSON.stringify(value)} ${ajv.errorsText(v.errors)}`)
      }
    }
    const content = response.content
    if (!content) {
      if (o.body !== '') problems.push(`${at} documents no body, the answer had ${JSON.stringify(o.body)}`)
      return problems
    }
    const mediaType = (o.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? ''
    if (!content[mediaType]) {
      problems.push(`content type ${JSON.stringify(mediaType)} is not documented by ${at}`)
      return problems
    }
    let body: unknown
    try {
      body = JSON.parse(o.body)
    } catch {
      problems.push(`the body is not JSON: ${JSON.stringify(o.body.slice(0, 200))}`)
      return problems
    }
    if (content[mediaType].schema) {
      const v = validatorAt(`${at}/${segments('content', mediaType, 'schema')}`)
      if (!v(body)) {
        problems.push(
          `the body ${JSON.stringify(body).slice(0, 300)} does not match ${at}: ${ajv.errorsText(v.errors)}`,
        )
      }
    }
    return problems
  }

  return {
    check,
    /** Fails the test with every way the answer differs from the document. */
    assertConforms: (o: Observed) => {
      const problems = check(o)
      assert.deepEqual(problems, [], `${o.method} ${o.path} → ${o.status} drifted from the OpenAPI document`)
    },
  }
}

export type Conformance = ReturnType<typeof createConformance>

/** The answer as the check reads it; the caller keeps a readable response. */
export const observe = async (method: string, path: string, res: Response): Promise<Observed> => ({
  method,
  path,
  status: res.status,
  headers: res.headers,
  body: await res.clone().text(),
})
