/**
 * The seeded data as the scenarios see it: the plan of the seed, the hot day, every day in a fixed
 * shuffled order for `spread`, a valid token for BENCH_USER, and the 2024 layout's days, moved so
 * its hot day is today (the calendar feed's window is around the real clock).
 */
import type { JwtConfig } from '#src/auth/token.js'
import { issueToken } from '#src/auth/token.js'
import { BENCH_USER, planSeed, prng, type SeedPlan } from '../lib/seed.js'
import { countSchedules } from '../lib/seed-2024.js'
import type { HotAnswer } from './hot-answer.js'

/** `YYYYMMDD` → `YYYY-MM-DD`, the third generation's days. */
const isoDay = (d: string) => `${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}`
/** `YYYYMMDD` `days` days before (negative: after). */
const daysBefore = (d: string, days: number) =>
  new Date(Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)) - days))
    .toISOString()
    .slice(0, 10)
    .replaceAll('-', '')
/** Whole days from `YYYYMMDD` `from` to `to`. */
const daysBetween = (from: string, to: string) => {
  const utc = (d: string) => Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8)))
  return Math.round((utc(to) - utc(from)) / 86_400_000)
}
/** Japan's day (UTC+9, as the app's calendar window) of `nowMs`, `YYYYMMDD`. */
export const japanToday = (nowMs: number) =>
  new Date(nowMs + 9 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '')

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
   * The 2024 layout's days (bench/lib/seed-2024.ts): the plan's days and counts, every date moved
   * by the same whole days so the hot day falls on today's Japan day; `feed`'s calendar (7 days back
   * to 30 ahead of the real clock) then holds the week before it and the days after.
   */
  schedulesPlan: SeedPlan
  /**
   * `schedules-week`: the week ending on the 2024 layout's hot day (today), one group: its path and
   * how many streams it answers. `feed` asks for the same group.
   */
  week: { group: string; from: string; to: string; path: string; count: number }
  /** The hot day's answer as the app sent it at the start of the run (hot-answer.ts), for `mirror`. */
  hotAnswer?: HotAnswer
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
  const today = japanToday(Date.now())
  const shift = daysBetween(hot.date, today)
  const schedulesPlan: SeedPlan = {
    rows: plan.rows,
    days: plan.days.map((d) => ({ date: daysBefore(d.date, -shift), count: d.count })),
  }
  const weekStart = daysBefore(today, 6)
  return {
    plan,
    hot,
    counts: new Map(plan.days.map((d) => [d.date, d.count])),
    spreadDays,
    spreadPaths: spreadDays.map((d) => `/holodules/${d}`),
    auth: { Authorization: `JWT ${token}` },
    schedulesPlan,
    week: {
      group: GROUP,
      from: weekStart,
      to: today,
      path: `/schedules?sdate=${isoDay(weekStart)}&edate=${isoDay(today)}&group=${GROUP}`,
      count: countSchedules(schedulesPlan, GROUP, weekStart, today),
    },
  }
}
