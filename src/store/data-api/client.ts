import { StoreUnavailableError } from '../errors.js'

export interface DataApiClientOptions {
  /** The endpoint base, e.g. `https://gateway.example/app/data/v1`; actions are `{url}/action/<name>`. */
  url: string
  apiKey: string
  /** `dataSource` of every request; our gateway accepts any name it is configured with. */
  dataSource: string
  database: string
  /** Per request. Longer than the gateway's own 2 s server selection, so its 503 wins the race. */
  timeoutMs?: number
  /** The id of the request being served, sent as X-Request-Id so the gateway's log joins ours. */
  requestId?: () => string | undefined
  /** Injected for tests; defaults to the global fetch. */
  fetch?: FetchLike
}

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>

export const DEFAULT_DATA_API_TIMEOUT_MS = 5000

/**
 * The gateway refused our key (401/403): to a client the data is unavailable (503), and the app's
 * one log line for it is an error that says what to mend. Never retried.
 */
export class DataApiConfigError extends StoreUnavailableError {
  override name = 'DataApiConfigError'
  override readonly misconfigured = true
  constructor(
    message: string,
    /** 401: the key itself refused; 403: the key has no grant for this collection or action. */
    readonly status: number,
  ) {
    super(message)
  }
}

/** The gateway rejected a request it should have accepted (a bug on one side), not an outage. */
export class DataApiRequestError extends Error {
  override name = 'DataApiRequestError'
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message)
  }
}

type JsonObject = Record<string, unknown>

/**
 * Relaxed Extended JSON back to plain values. Our documents hold strings only, so this handles the
 * wrappers a gateway may still send (numbers, ObjectId, dates) without pulling in the bson package.
 */
export const fromEjson = (value: unknown): unknown => {
  if (Array.isArray(value)) return value.map(fromEjson)
  if (value === null || typeof value !== 'object') return value
  const obj = value as JsonObject
  const keys = Object.keys(obj)
  if (keys.length === 1) {
    const k = keys[0] as string
    const v = obj[k]
    if (k === '$oid' && typeof v === 'string') return v
    if ((k === '$numberInt' || k === '$numberDouble' || k === '$numberLong') && typeof v === 'string')
      return Number(v)
    if (k === '$numberDecimal' && typeof v === 'string') return v
    if (k === '$date') {
      if (typeof v === 'string' || typeof v === 'number') return new Date(v)
      const inner = fromEjson(v)
      if (typeof inner === 'number') return new Date(inner)
    }
  }
  return Object.fromEntries(keys.map((k) => [k, fromEjson(obj[k])]))
}

/**
 * One Data API v1 endpoint (our gateway, or Atlas's while it lived): actions on collections of one
 * database, with a deadline per request and every transport fault mapped to StoreUnavailableError.
 * The store (data-api-store.ts) and the login counters (login-limiters.ts) both speak through it.
 */
export class DataApiClient {
  private readonly base: string
  private readonly timeoutMs: number
  private readonly fetchImpl: FetchLike

  constructor(private readonly options: DataApiClientOptions) {
    this.base = options.url.replace(/\/+$/, '')
    this.timeoutMs = options.timeoutMs ?? DEFAULT_DATA_API_TIMEOUT_MS
    this.fetchImpl = options.fetch ?? ((url, init) => fetch(url, init))
  }

  private requestIdHeader(): Record<string, string> {
    const id = this.options.requestId?.()
    return id === undefined ? {} : { 'X-Request-Id': id }
  }

  /** One Data API action on a collection of the store's database; the login counters use it too. */
  async action<T extends JsonObject>(name: string, collection: string, body: JsonObject): Promise<T> {
    let res: Response
    try {
      res = await this.fetchImpl(`${this.base}/action/${name}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Accept: 'application/json',
          'api-key': this.options.apiKey,
          ...this.requestIdHeader(),
        },
        body: JSON.stringify({
          dataSource: this.options.dataSource,
          database: this.options.database,
          collection,
          ...body,
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      })
    } catch (e) {
      // Network failure, DNS, refused connection, or our own timeout: all mean "not reachable now".
      const err = e as Error
      throw new StoreUnavailableError(
        err.name === 'TimeoutError'
          ? `Data API ${name} timed out after ${this.timeoutMs} ms`
          : `Data API ${name} unreachable: ${err.name}`,
      )
    }

    let text: string
    try {
      text = await res.text()
    } catch (e) {
      throw new StoreUnavailableError(`Data API ${name} response interrupted: ${(e as Error).name}`)
    }
    if (res.status === 401 || res.status === 403) {
      // The message names the status only: the key must never reach a log line or a response.
      throw new DataApiConfigError(
        `Data API rejected the API key (HTTP ${res.status} for ${name} on ${collection}): check DATA_API_KEY and the gateway's DATA_API_KEYS`,
        res.status,
      )
    }
    if (res.status >= 500 || res.status === 429) {
      throw new StoreUnavailableError(`Data API ${name}: HTTP ${res.status}`)
    }
    let parsed: unknown
    try {
      parsed = text === '' ? {} : JSON.parse(text)
    } catch {
      // A proxy page instead of our gateway's JSON: treat it as the gateway being unavailable.
      throw new StoreUnavailableError(`Data API ${name}: HTTP ${res.status} with a body that is not JSON`)
    }
    const doc = (typeof parsed === 'object' && parsed !== null ? fromEjson(parsed) : {}) as JsonObject
    if (!res.ok) {
      const code = typeof doc.error_code === 'string' ? doc.error_code : 'Unknown'
      const message = typeof doc.error === 'string' ? doc.error : `HTTP ${res.status}`
      throw new DataApiRequestError(res.status, code, `Data API ${name}: ${message}`)
    }
    return doc as T
  }

  async findOne(collection: string, filter: JsonObject, projection: JsonObject) {
    const r = await this.action<{ document?: unknown }>('findOne', collection, { filter, projection })
    return r.document && typeof r.document === 'object' ? (r.document as JsonObject) : null
  }

  async find(collection: string, body: JsonObject): Promise<JsonObject[]> {
    const r = await this.action<{ documents?: unknown }>('find', collection, body)
    return Array.isArray(r.documents) ? (r.documents as JsonObject[]) : []
  }
}
