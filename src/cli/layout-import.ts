// The CLI's imports write the layout in use (contract, "Which layout"): each file's records as they
// are, or converted to the other layout's documents.
import type { ScheduleImport } from '../store/layouts/schedule-import.js'
import { holoduleFromSchedule, streamingAtOf } from '../store/layouts/schedules.js'
import type { HoloduleRecord } from '../store/records.js'
import type { UpsertReport } from '../store/store.js'
import { type CliContext, CliError } from './context.js'

/** Where an import writes: a note saying so when it converts, and the write itself. */
export interface ImportTarget<T> {
  note?: string
  write(records: T[], onProgress: (done: number) => void): Promise<UpsertReport>
}

/** A 2020 row as a 2024 document: streaming_at from datetime; the fields it lacks left as stored. */
export const scheduleOfHolodule = (h: HoloduleRecord): ScheduleImport => ({
  key: h.key,
  code: h.code,
  video_id: h.video_id,
  streaming_at: streamingAtOf(h.datetime),
  name: h.name,
  title: h.title,
  url: h.url,
  description: h.description,
})

export const holodulesTarget = async (ctx: CliContext): Promise<ImportTarget<HoloduleRecord>> => {
  const store = await ctx.store()
  if ((await store.layout()) === 'holodules') return { write: (r, p) => store.upsertHolodules(r, p) }
  return {
    note: 'this database uses the 2024 layout: the rows are written to schedules, converted',
    write: (r, p) => store.upsertSchedules(r.map(scheduleOfHolodule), p),
  }
}

export const schedulesTarget = async (ctx: CliContext): Promise<ImportTarget<ScheduleImport>> => {
  const store = await ctx.store()
  if ((await store.layout()) === 'schedules') return { write: (r, p) => store.upsertSchedules(r, p) }
  // An empty database reads as the 2020 layout under auto; converting 2024 documents into it
  // would drop their tags and dates for nothing: the operator chooses.
  if (ctx.layoutSetting() === 'auto' && (await store.countDocuments()).holodules === 0)
    throw new CliError(
      'this database holds no schedule yet, so SCHEDULE_LAYOUT=auto reads it as the 2020 layout: ' +
        'set SCHEDULE_LAYOUT=schedules to start the 2024 layout (and on the server), ' +
        'or SCHEDULE_LAYOUT=holodules to convert the documents to the 2020 one',
    )
  return {
    note: 'this database uses the 2020 layout: the documents are written to holodules, converted (published_at, channel_id, channel_title and tags are not kept)',
    write: (r, p) => store.upsertHolodules(r.map(holoduleFromSchedule), p),
  }
}
