/**
 * What is measured: each scenario is one request shape under load (hot GET, 304, spread over every
 * day, 401, login...) and the one request checked before it. bench/throughput/run-scenario.ts checks,
 * warms up and measures it.
 */
import type { LoadSpec } from '../lib/load-spec.js'
import type { BenchOptions } from '../lib/options.js'
import type { RunningServer } from '../lib/procs.js'
import { BENCH_USER } from '../lib/seed.js'
import { countSchedules } from '../lib/seed-2024.js'
import { appHeaders } from './hot-answer.js'
import { japanToday, type Workload } from './workload.js'

export type ScenarioName =
  | 'hello'
  | 'payload'
  | 'mirror'
  | 'hot'
  | 'hot-304'
  | 'spread'
  | '401'
  | 'auth'
  | 'schedules-week'
  | 'feed'

export interface ScenarioPlan {
  load: LoadSpec
  /** The one status every response under load must have. */
  expected: number
  /** One request checked before the run: null when right, else what is wrong. */
  check: () => Promise<string | null>
}

interface ScenarioContext {
  url: string
  /** The load every scenario starts from: the server's root, the run's connections and duration. */
  base: LoadSpec
  workload: Workload
  hotPath: string
  getJson: (path: string, headers: Record<string, string>) => Promise<{ res: Response; body: Body }>
  checkDay: (date: string) => Promise<string | null>
}

type Body = Record<string, unknown>

const scenarioContext = (server: RunningServer, workload: Workload, opts: BenchOptions): ScenarioContext => {
  const getJson = async (path: string, headers: Record<string, string>) => {
    const res = await fetch(server.url + path, {
      headers,
      signal: AbortSignal.timeout(opts.requestTimeoutS * 1000),
    })
    return { res, body: (await res.json()) as Body }
  }
  const { auth, counts } = workload
  const checkDay = async (date: string) => {
    const { res, body } = await getJson(`/holodules/${date}`, auth)
    if (res.status !== 200) return `GET ${date}: status ${res.status} ${JSON.stringify(body)}`
    const list = body.holodules as Array<{ datetime: string }>
    if (body.result !== counts.get(date) || list.length !== counts.get(date))
      return `GET ${date}: ${String(body.result)} rows, expected ${counts.get(date)}`
    for (let i = 1; i < list.length; i++) {
      if ((list[i - 1] as { datetime: string }).datetime < (list[i] as { datetime: string }).datetime)
        return `GET ${date}: not newest first`
    }
    return null
  }
  return {
    url: server.url,
    base: { url: server.url, connections: opts.connections, duration: opts.duration },
    workload,
    hotPath: `/holodules/${workload.hot.date}`,
    getJson,
    checkDay,
  }
}

const hotNotModified = async ({ url, base, hotPath, workload }: ScenarioContext): Promise<ScenarioPlan> => {
  const { auth } = workload
  const first = await fetch(url + hotPath, { headers: auth })
  await first.arrayBuffer()
  const etag = first.headers.get('ETag')
  return {
    expected: 304,
    load: { ...base, url: url + hotPath, headers: { ...auth, 'If-None-Match': etag ?? '' } },
    check: async () => {
      if (!etag) return 'no ETag on the schedule response'
      const res = await fetch(url + hotPath, { headers: { ...auth, 'If-None-Match': etag } })
      await res.arrayBuffer()
      return res.status === 304 ? null : `If-None-Match answered ${res.status}`
    },
  }
}

const login = ({ url, base }: ScenarioContext): ScenarioPlan => {
  const body = JSON.stringify(BENCH_USER)
  const request = { method: 'POST' as const, headers: { 'Content-Type': 'application/json' }, body }
  return {
    expected: 200,
    load: { ...base, url: `${url}/auth`, ...request },
    check: async () => {
      const res = await fetch(`${url}/auth`, request)
      const json = (await res.json()) as { access_token?: unknown }
      return res.status === 200 &&
        typeof json.access_token === 'string' &&
        json.access_token.split('.').length === 3
        ? null
        : `POST /auth: ${res.status} ${JSON.stringify(json)}`
    },
  }
}

/** The third generation's login, `POST /token` with a form: the Bearer header, or what went wrong. */
const bearerLogin = async (url: string) => {
  const form = new URLSearchParams({ username: BENCH_USER.username, password: BENCH_USER.password })
  const res = await fetch(`${url}/token`, { method: 'POST', body: form })
  const login = (await res.json()) as { access_token?: unknown; token_type?: unknown }
  const token = typeof login.access_token === 'string' ? login.access_token : null
  const auth: Record<string, string> = { Authorization: `Bearer ${token}` }
  const ok = res.status === 200 && token !== null && login.token_type === 'bearer'
  return { auth, problem: ok ? null : `POST /token: ${res.status} ${JSON.stringify(login)}` }
}

/**
 * `feed`: one calendar feed's URL polled without a token, as a calendar app polls it. The feed
 * (the week's group) is made once per plan, through `POST /token` and `POST /feeds`, not measured;
 * the calendar is rendered once per HOLODULES_CACHE_TTL (the check's request) and the live feed kept
 * for USER_CACHE_TTL, so under load a poll asks the database nothing: the cached bytes are sent. The check: 200,
 * text/calendar, `BEGIN:VCALENDAR`, and as many events as the 2024 seed has streams of the group in
 * the window (7 Japan days back to 30 ahead of today: the seed's hot day is today).
 */
const feed = async ({ url, base, workload }: ScenarioContext): Promise<ScenarioPlan> => {
  const { auth, problem: loginProblem } = await bearerLogin(url)
  const { group } = workload.week
  const made = await fetch(`${url}/feeds`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ group }),
  })
  const answer = (await made.json()) as { url?: unknown }
  const path = typeof answer.url === 'string' ? new URL(answer.url).pathname : null
  return {
    expected: 200,
    load: { ...base, url: url + (path ?? '/calendar/none.ics') },
    check: async () => {
      if (loginProblem) return loginProblem
      if (made.status !== 201 || !path) return `POST /feeds: ${made.status} ${JSON.stringify(answer)}`
      const res = await fetch(url + path)
      const text = await res.text()
      const type = res.headers.get('Content-Type') ?? ''
      if (res.status !== 200 || !type.startsWith('text/calendar') || !text.startsWith('BEGIN:VCALENDAR'))
        return `GET ${path}: ${res.status} ${type} ${JSON.stringify(text.slice(0, 80))}`
      const today = japanToday(Date.now())
      const day = (offset: number) => japanToday(Date.now() + offset * 86_400_000)
      const expected = Math.min(1000, countSchedules(workload.schedulesPlan, group, day(-7), day(30)))
      const events = text.split('BEGIN:VEVENT').length - 1
      if (events !== expected)
        return `GET ${path}: ${events} events, expected ${expected} (${group}, today ${today})`
      return null
    },
  }
}

/**
 * `schedules-week`: one week of one group on the 2024 layout, with a token from `POST /token` (the
 * third generation's login, once per plan, not measured): the same request every time, as `hot`.
 * /schedules is cached per normalised query for HOLODULES_CACHE_TTL (`--ttl`), as a day: under load
 * the answer comes from memory, a range query (and the group's streamers) once per TTL.
 */
const schedulesWeek = async ({ url, base, workload, getJson }: ScenarioContext): Promise<ScenarioPlan> => {
  const { auth, problem: loginProblem } = await bearerLogin(url)
  const { path, count } = workload.week
  return {
    expected: 200,
    load: { ...base, url: url + path, headers: auth },
    check: async () => {
      if (loginProblem) return loginProblem
      const { res: got, body } = await getJson(path, auth)
      if (got.status !== 200) return `GET ${path}: status ${got.status} ${JSON.stringify(body)}`
      const list = body.schedules as Array<{ streaming_at: string; code: string }>
      if (!Array.isArray(list) || list.length !== count)
        return `GET ${path}: ${Array.isArray(list) ? list.length : 'no'} schedules, expected ${count}`
      for (let i = 1; i < list.length; i++) {
        if ((list[i - 1]?.streaming_at ?? '') < (list[i]?.streaming_at ?? ''))
          return `GET ${path}: not newest first`
      }
      return null
    },
  }
}

/**
 * `mirror`: the hello peer answering the hot day's bytes with the app's headers (hot-answer.ts).
 * The check: the same status, bytes and headers as the app's answer (the server's own aside).
 */
const mirror = ({ url, base, workload }: ScenarioContext): ScenarioPlan => ({
  expected: 200,
  load: { ...base, url: `${url}/mirror` },
  check: async () => {
    const app = workload.hotAnswer
    if (!app) return "no answer of the app's to mirror"
    const res = await fetch(`${url}/mirror`)
    const body = new Uint8Array(await res.arrayBuffer())
    if (res.status !== 200 || Buffer.compare(body, app.body) !== 0)
      return `mirror: ${res.status}, ${body.byteLength} bytes where the app's answer has ${app.body.byteLength}`
    const got = JSON.stringify(Object.entries(appHeaders(res)).sort())
    const want = JSON.stringify(Object.entries(app.headers).sort())
    return got === want ? null : `mirror's headers ${got}, the app's ${want}`
  },
})

const SCENARIOS: Record<ScenarioName, (c: ScenarioContext) => ScenarioPlan | Promise<ScenarioPlan>> = {
  hello: ({ url, base }) => ({
    expected: 200,
    load: { ...base, url: `${url}/` },
    check: async () => ((await fetch(`${url}/`)).status === 200 ? null : 'hello did not answer 200'),
  }),
  mirror,
  payload: ({ url, base, workload }) => ({
    expected: 200,
    load: { ...base, url: `${url}/payload` },
    check: async () => {
      const res = await fetch(`${url}/payload`)
      const body = (await res.json()) as { result?: number }
      return res.status === 200 && body.result === workload.hot.count
        ? null
        : 'payload did not answer the hot day'
    },
  }),
  hot: ({ url, base, hotPath, workload, checkDay }) => ({
    expected: 200,
    load: { ...base, url: url + hotPath, headers: workload.auth },
    check: () => checkDay(workload.hot.date),
  }),
  'hot-304': hotNotModified,
  spread: ({ url, base, workload, checkDay }) => ({
    expected: 200,
    load: {
      ...base,
      url: url + (workload.spreadPaths[0] as string),
      headers: workload.auth,
      paths: workload.spreadPaths,
    },
    check: () => checkDay(workload.spreadDays[1] as string),
  }),
  '401': ({ url, base, hotPath, getJson }) => ({
    expected: 401,
    load: { ...base, url: url + hotPath },
    check: async () => {
      const { res, body } = await getJson(hotPath, {})
      return res.status === 401 && body.error === 'Authorization Required'
        ? null
        : `no token: ${res.status} ${JSON.stringify(body)}`
    },
  }),
  auth: login,
  'schedules-week': schedulesWeek,
  feed,
}

/** The load, the expected status and the check of one scenario against one running server. */
export const planScenario = (
  server: RunningServer,
  scenario: ScenarioName,
  workload: Workload,
  opts: BenchOptions,
): ScenarioPlan | Promise<ScenarioPlan> => SCENARIOS[scenario](scenarioContext(server, workload, opts))
