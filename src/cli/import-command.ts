import { readFile } from 'node:fs/promises'
import { CliError, type Command } from './context.js'
import { parseHoloduleFile } from './holodule-file.js'
import { createProgress } from './progress.js'

/** Said whenever an import stops early. */
const SAFE_AGAIN = 're-running the same file is safe (records are upserted by key)'
/** Exit code when the import ran but some records were rejected. */
export const EXIT_REJECTED = 3

const readInput = async (file: string, stdin: NodeJS.ReadStream): Promise<string> => {
  if (file === '-') {
    if (stdin.isTTY)
      throw new CliError("'-' reads the records from stdin, but stdin is a terminal: pipe a file in")
    const chunks: Buffer[] = []
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    return Buffer.concat(chunks).toString('utf8')
  }
  try {
    return await readFile(file, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : (code ?? 'unreadable')
    throw new CliError(`cannot read ${file}: ${why}`)
  }
}

export const holodulesImport: Command = {
  args: ['file'],
  summary: 'upsert streams by key from a JSON array or JSON-lines file (- reads stdin)',
  help: `Each record needs code, video_id, datetime ("YYYYMMDD HHMMSS", Japan time), name, title, url and
description, all strings. key is optional: it is derived as code_YYYYMMDD_HHMMSS, and must equal that
when given. Other fields are ignored. Records are upserted by key: new keys inserted, changed rows
replaced, rows stored exactly as given left alone (re-running a file is safe). Progress goes to
stderr: a bar on a terminal, a line every few seconds otherwise.
Every rejected record is listed with its line (JSON lines) or its position (array), then the counts.
Exit code 0 when every record was imported, ${EXIT_REJECTED} when some were rejected, 1 on an error.`,
  options: { 'dry-run': { type: 'boolean', help: 'validate and report only; write nothing' } },
  async run({ args, flags }, ctx) {
    const file = args[0] as string
    // Settings first: a missing MONGODB_URI should not wait for a whole file to be read.
    if (!flags['dry-run']) ctx.mongoConfig()
    const { records, rejected } = parseHoloduleFile(await readInput(file, ctx.io.stdin))
    const out = ctx.io.stdout
    for (const r of rejected) out.write(`${r.at}: ${r.reason}\n`)

    if (flags['dry-run']) {
      out.write(`dry run: ${records.length} valid, ${rejected.length} rejected; nothing written\n`)
      return rejected.length > 0 ? EXIT_REJECTED : 0
    }
    if (records.length === 0 && rejected.length === 0)
      throw new CliError(`no records in ${file}: nothing imported`)
    const store = await ctx.store()
    const progress = createProgress(ctx.io.stderr, records.length, 'importing')
    let done = 0
    // Ctrl-C: say how far it got; upserts by key make a re-run of the same file finish the job.
    const interrupted = () => {
      progress.done()
      ctx.io.stderr.write(`holodule: interrupted after ${done} of ${records.length} records; ${SAFE_AGAIN}\n`)
      process.exit(130)
    }
    process.once('SIGINT', interrupted)
    try {
      const report = await store.upsertHolodules(records, (n) => {
        done = n
        progress.update(n)
      })
      progress.done()
      out.write(
        `inserted ${report.inserted}, updated ${report.updated}, unchanged ${report.unchanged}, rejected ${rejected.length}\n`,
      )
    } catch (e) {
      progress.done()
      if (done > 0)
        out.write(`stopped by an error after ${done} of ${records.length} records; ${SAFE_AGAIN}\n`)
      throw e
    } finally {
      process.off('SIGINT', interrupted)
    }
    return rejected.length > 0 ? EXIT_REJECTED : 0
  },
}
