// A day's streams from the command line (issue 21, item 8): `holodules list` and `holodules remove`,
// on the layout in use, through the store's own reads and the third generation's admin delete
// (findSchedules, findScheduleById, deleteSchedule answer on both layouts), so no new store code.
import { isCalendarDate } from '../store/days.js'
import type { ScheduleRecord } from '../store/records.js'
import type { Store } from '../store/store.js'
import { CliError, type Command, UsageError } from './context.js'
import { table } from './table.js'

const LAYOUT_ENV = ['MONGODB_URI', 'MONGODB_DB', 'SCHEDULE_LAYOUT'] as const
/** More than any day holds (the 2024 collector writes some 60 streams a day). */
const DAY_LIMIT = 10_000
const CACHE_NOTE =
  'a running server answers the day from its cache for HOLODULES_CACHE_TTL seconds (default 5)'

/** Today in Japan, YYYYMMDD: the day the first generation's clients ask for. */
const japanToday = (): string =>
  new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10).replaceAll('-', '')

/** One line per cell: a title's line breaks and tabs would break the columns. */
const cell = (s: string, max: number): string => {
  const flat = s.replace(/\s+/g, ' ').trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export const holodulesList: Command = {
  args: [],
  summary: "list a day's streams (Japan time) with their keys, in the layout in use",
  help: `Newest first, as GET /holodules/{date} answers them; the key is what 'holodules remove' takes.`,
  options: {
    date: { type: 'string', help: 'the day, YYYYMMDD in Japan time (default today)' },
    json: { type: 'boolean', help: 'print a JSON array of the streams as GET /schedules answers them' },
  },
  env: LAYOUT_ENV,
  async run({ flags }, ctx) {
    const date = typeof flags.date === 'string' ? flags.date : japanToday()
    if (!isCalendarDate(date))
      throw new UsageError(
        `holodules list: --date must be a real day as YYYYMMDD, not ${JSON.stringify(date)}`,
      )
    const streams = await (await ctx.store()).findSchedules({ from: date, to: date, limit: DAY_LIMIT })
    const out = ctx.io.stdout
    if (flags.json) {
      out.write(`${JSON.stringify(streams)}\n`)
      return
    }
    if (streams.length === 0) {
      out.write(`no streams on ${date}\n`)
      return
    }
    const rows = streams.map((s) => [
      s.key,
      s.streaming_at.slice(11, 16),
      s.code,
      cell(s.name, 24),
      cell(s.title, 60),
    ])
    out.write(table([['KEY', 'TIME', 'CODE', 'NAME', 'TITLE'], ...rows]))
  },
}

/** `code_YYYYMMDD_HHMMSS`: the code may hold `_`, the date and time are the last two parts. */
const KEY_SHAPE = /^(.+)_(\d{8})_(\d{6})$/
const OBJECT_ID = /^[0-9a-f]{24}$/i

/** The stream a key (or a document's _id) names, looked up within its code and day. */
const findStream = async (store: Store, keyOrId: string): Promise<ScheduleRecord | null> => {
  if (OBJECT_ID.test(keyOrId)) return store.findScheduleById(keyOrId)
  const [, code, day] = KEY_SHAPE.exec(keyOrId) ?? []
  if (code === undefined || day === undefined || !isCalendarDate(day)) return null
  const streams = await store.findSchedules({ from: day, to: day, codes: [code], limit: DAY_LIMIT })
  return streams.find((s) => s.key === keyOrId) ?? null
}

export const holodulesRemove: Command = {
  args: ['key'],
  variadic: true,
  summary: 'remove streams by key (code_YYYYMMDD_HHMMSS, as holodules list shows) or _id',
  help: `Removes each named stream from the layout in use (holodules, or schedules on the 2024 layout);
the others are removed even when one is not found, which is then an error (exit 1). ${CACHE_NOTE}.`,
  env: LAYOUT_ENV,
  async run({ args }, ctx) {
    const store = await ctx.store()
    const missing: string[] = []
    for (const keyOrId of args) {
      const stream = await findStream(store, keyOrId)
      if (stream && (await store.deleteSchedule(stream.id))) ctx.io.stdout.write(`removed ${stream.key}\n`)
      else missing.push(keyOrId)
    }
    if (missing.length > 0)
      throw new CliError(
        `no stream ${missing.map((k) => JSON.stringify(k)).join(', ')} (see 'holodules list --date YYYYMMDD')`,
      )
  },
}
