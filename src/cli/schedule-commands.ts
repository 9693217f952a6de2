// The 2024 layout's collections from the command line: `schedules import`, `streamers import`,
// `streamers list`.
import type { StreamerInput, StreamerRecord } from '../store/records.js'
import type { UpsertReport } from '../store/store.js'
import type { Command } from './context.js'
import { EXIT_REJECTED, runImport } from './import-command.js'
import { schedulesTarget } from './layout-import.js'
import { parseScheduleFile } from './schedule-file.js'
import { parseStreamerFile } from './streamer-file.js'
import { table } from './table.js'

const DRY_RUN = { 'dry-run': { type: 'boolean', help: 'validate and report only; write nothing' } } as const
const OUTCOME = `Every rejected record is listed with its line (JSON lines) or its position (array), then the
counts. Exit code 0 when every record was imported, ${EXIT_REJECTED} when some were rejected, 1 on an error.`

export const schedulesImport: Command = {
  args: ['file'],
  summary: "upsert the 2024 collector's stream documents by key (- reads stdin)",
  help: `A JSON array or JSON lines of schedules documents as the 2024 collector writes them, or as mongoexport
dumps them: code, video_id, streaming_at, name, title, url, description; published_at, channel_id,
channel_title, tags and key optional (key derived as code_YYYYMMDD_HHMMSS when absent), _id as
{"$oid": …} or absent. streaming_at is Japan's wall clock: {"$date": …}, or text without an offset or
with Z, gives its own fields (the collector's habit); text with another offset is converted to Japan
time. published_at is UTC. Records are upserted by key (else by _id): only the fields given change,
a stream stored as given is left alone, a new one keeps its _id. Written in the layout in use
(holodule status): into a 2020-layout database converted to holodules rows (the 2024-only fields
dropped); an empty database under SCHEDULE_LAYOUT=auto is refused until SCHEDULE_LAYOUT says which.
${OUTCOME}`,
  options: DRY_RUN,
  env: ['MONGODB_URI', 'MONGODB_DB', 'SCHEDULE_LAYOUT'],
  run: (input, ctx) => runImport(input, ctx, parseScheduleFile, schedulesTarget),
}

const sameStreamer = (stored: StreamerRecord, s: StreamerInput): boolean =>
  (Object.keys(s) as Array<keyof StreamerInput>).every((k) =>
    k === 'affiliations' ? stored[k].join('\0') === s[k].join('\0') : stored[k] === s[k],
  )

export const streamersImport: Command = {
  args: ['file'],
  summary: 'upsert streamer documents by code from a JSON array or JSON-lines file (- reads stdin)',
  help: `Each record: code, name, group, affiliations, image_name, channel_id, is_retired. The older
collector's string-typed fields ("['gen0', 'jp']", "False") are read as the array and boolean they
mean, and stored as such. Members are upserted by code: new codes inserted, changed ones updated,
the rest left alone. Other fields (a dump's _id) are ignored.
${OUTCOME}`,
  options: DRY_RUN,
  run: (input, ctx) =>
    runImport(input, ctx, parseStreamerFile, async () => {
      const store = await ctx.store()
      return {
        async write(records, onProgress) {
          const stored = new Map((await store.findStreamers()).map((s) => [s.code, s]))
          const report: UpsertReport = { inserted: 0, updated: 0, unchanged: 0 }
          for (const [i, s] of records.entries()) {
            const old = stored.get(s.code)
            if (!old) {
              await store.insertStreamer(s)
              report.inserted++
            } else if (sameStreamer(old, s)) report.unchanged++
            else if (await store.updateStreamer(old.id, s)) report.updated++
            onProgress(i + 1)
          }
          return report
        },
      }
    }),
}

export const streamersList: Command = {
  args: [],
  summary: 'list streamers (of one group), sorted by code',
  options: {
    group: { type: 'string', help: 'only this group (exactly: hololive, hololive_en, …)' },
    json: { type: 'boolean', help: 'print a JSON array, as GET /streamers answers its items' },
  },
  async run({ flags }, ctx) {
    const group = typeof flags.group === 'string' ? flags.group : undefined
    const streamers = await (await ctx.store()).findStreamers(group)
    const out = ctx.io.stdout
    if (flags.json) {
      out.write(`${JSON.stringify(streamers)}\n`)
      return
    }
    const rows = [
      ['CODE', 'GROUP', 'NAME', 'AFFILIATIONS', 'RETIRED'],
      ...streamers.map((s) => [s.code, s.group, s.name, s.affiliations.join(','), s.is_retired ? 'yes' : '']),
    ]
    out.write(table(rows))
  },
}
