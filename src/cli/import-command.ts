import type { UpsertReport } from '../store/store.js'
import { type CliContext, CliError, type Command, type CommandInput } from './context.js'
import { parseHoloduleFile } from './holodule-file.js'
import { holodulesTarget, type ImportTarget } from './layout-import.js'
import { createProgress } from './progress.js'
import { readInput } from './read-input.js'
import type { ParsedFile } from './record-file.js'

/** Said whenever an import stops early. */
const SAFE_AGAIN = 're-running the same file is safe (records are upserted by key)'
/** Exit code when the import ran but some records were rejected. */
export const EXIT_REJECTED = 3

/** Writes with a progress bar; Ctrl-C or an error says how far it got (a re-run finishes the job). */
const write = async <T>(ctx: CliContext, records: T[], target: ImportTarget<T>): Promise<UpsertReport> => {
  const progress = createProgress(ctx.io.stderr, records.length, 'importing')
  let done = 0
  const interrupted = () => {
    progress.done()
    ctx.io.stderr.write(`holodule: interrupted after ${done} of ${records.length} records; ${SAFE_AGAIN}\n`)
    process.exit(130)
  }
  process.once('SIGINT', interrupted)
  try {
    const report = await target.write(records, (n) => {
      done = n
      progress.update(n)
    })
    progress.done()
    return report
  } catch (e) {
    progress.done()
    if (done > 0)
      ctx.io.stdout.write(`stopped by an error after ${done} of ${records.length} records; ${SAFE_AGAIN}\n`)
    throw e
  } finally {
    process.off('SIGINT', interrupted)
  }
}

/** Reads, reports the rejected, then upserts into what `target` chooses for the layout in use. */
export const runImport = async <T>(
  { args, flags }: CommandInput,
  ctx: CliContext,
  parse: (content: string) => ParsedFile<T>,
  target: (ctx: CliContext) => Promise<ImportTarget<T>>,
): Promise<number> => {
  const file = args[0] as string
  // Settings first: a missing MONGODB_URI should not wait for a whole file to be read.
  if (!flags['dry-run']) ctx.mongoConfig()
  const { records, rejected } = parse(await readInput(file, ctx.io.stdin))
  const out = ctx.io.stdout
  for (const r of rejected) out.write(`${r.at}: ${r.reason}\n`)
  if (flags['dry-run']) {
    out.write(`dry run: ${records.length} valid, ${rejected.length} rejected; nothing written\n`)
    return rejected.length > 0 ? EXIT_REJECTED : 0
  }
  if (records.length === 0 && rejected.length === 0)
    throw new CliError(`no records in ${file}: nothing imported`)
  const into = await target(ctx)
  if (into.note) out.write(`${into.note}\n`)
  const report = await write(ctx, records, into)
  out.write(
    `inserted ${report.inserted}, updated ${report.updated}, unchanged ${report.unchanged}, rejected ${rejected.length}\n`,
  )
  return rejected.length > 0 ? EXIT_REJECTED : 0
}

const IMPORT_ENV = ['MONGODB_URI', 'MONGODB_DB', 'SCHEDULE_LAYOUT'] as const
const DRY_RUN = { 'dry-run': { type: 'boolean', help: 'validate and report only; write nothing' } } as const
const OUTCOME = `Progress goes to stderr: a bar on a terminal, a line every few seconds otherwise. Every rejected
record is listed with its line (JSON lines) or its position (array), then the counts.
Exit code 0 when every record was imported, ${EXIT_REJECTED} when some were rejected, 1 on an error.`

export const holodulesImport: Command = {
  args: ['file'],
  summary: 'upsert 2020-layout streams by key from a JSON array or JSON-lines file (- reads stdin)',
  help: `Each record needs code, video_id, datetime ("YYYYMMDD HHMMSS", Japan time), name, title, url and
description, all strings. key is optional: it is derived as code_YYYYMMDD_HHMMSS, and must equal that
when given. Other fields are ignored. Records are upserted by key: new keys inserted, changed rows
replaced, rows stored exactly as given left alone (re-running a file is safe). They are written in the
layout in use (holodule status): on the 2024 layout as schedules documents, streaming_at from datetime,
the fields a 2020 row lacks (published_at, channel_*, tags) left as stored.
${OUTCOME}`,
  options: DRY_RUN,
  env: IMPORT_ENV,
  run: (input, ctx) => runImport(input, ctx, parseHoloduleFile, holodulesTarget),
}
