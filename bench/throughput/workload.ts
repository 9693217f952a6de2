/**
 * The seeded data as the scenarios see it: the plan of the seed, the hot day, every day in a fixed
 * shuffled order for `spread`, and a valid token for BENCH_USER.
 */
import type { JwtConfig } from '#src/auth/token.js'
import { issueToken } from '#src/auth/token.js'
import { BENCH_USER, planSeed, prng, type SeedPlan } from '../lib/seed.js'
import { countSchedules } from '../lib/seed-2024.js'

/** `YYYYMMDD` → `YYYY-MM-DD`, the third generation's days. */
const isoDay = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`
/** `YYYYMMDD` `days` days before (negative: after). */
const daysBefore = (d: string, days: number) =>
  new Date(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)) - days))
    .toISOString()
    .slice(0, 10)
    .replaceAll('-', '')

/** The seeded data as the scenarios see it. */
export interface Workload {
  plan: SeedPlan
  hot: { date: string; count: number }
  counts: Map<string, number>
  spreadDays: string[]
  spreadPaths: string[]
  /** The Authorization header of a valid token for BENCH_USER. */
  auth: Record<string, string>
  /**
   * `schedules-week`: the week ending on the hot day, one group, on the 2024 layout
   * (bench/lib/seed-2024.ts): its path and how many streams it answers.
   */
  week: { group: string; from: string; to: string; path: string; count: number }
}

const GROUP = 'hololive'

export const planWorkload = async (rows: number, secret: string): Promise<Workload> => {
  const plan = planSeed(rows)
  // "Today": the last day with a typical count; "spread": every seeded day in a fixed shuffled order.
  const hot = [...plan.days].reverse().find((d) => d.count >= 30 && d.count <= 40) ?? plan.days.at(-1)!
  const rnd = prng(99)
  const spreadDays = plan.days.map((d) => d.date).sort(() => rnd() - 0.5)
  const jwt: JwtConfig = {
    secret,
    algorithm: 'HS256',
    expirationDelta: 3600,
    notBeforeDelta: 0,
    leeway: 0,
    authHeaderPrefix: 'JWT',
    accessTokenExpires: 900,
  }
  const token = await issueToken(jwt, BENCH_USER.username, Date.now())
  const weekStart = daysBefore(hot.date, 6)
  return {
    plan,
    hot,
    counts: new Map(plan.days.map((d) => [d.date, d.count])),
    spreadDays,
    spreadPaths: spreadDays.map((d) => `/holodules/${d}`),
    auth: { Authorization: `JWT ${token}` },
    week: {
      group: GROUP,
      from: weekStart,
      to: hot.date,
      path: `/schedules?sdate=${isoDay(weekStart)}&edate=${isoDay(hot.date)}&group=${GROUP}`,
      count: countSchedules(plan, GROUP, weekStart, hot.date),
    },
  }
}
