import type { Layout, LayoutSetting } from '../store/store.js'
import type { Command } from './context.js'
import { redactUri } from './redact.js'
import { table } from './table.js'

const why = (setting: LayoutSetting, layout: Layout): string =>
  setting !== 'auto'
    ? `SCHEDULE_LAYOUT=${setting}`
    : `SCHEDULE_LAYOUT=auto: ${layout === 'schedules' ? 'the schedules collection holds documents' : 'the schedules collection is empty'}`

export const status: Command = {
  args: [],
  summary: 'show the database, the layout the API reads (and why) and what each collection holds',
  help: `The layout is what the server would choose now: SCHEDULE_LAYOUT, or under auto (the default) the
2024 layout when the schedules collection holds documents, else the 2020 one (holodules). Imports
write that layout.`,
  options: { json: { type: 'boolean', help: 'print one JSON object' } },
  env: ['MONGODB_URI', 'MONGODB_DB', 'SCHEDULE_LAYOUT'],
  async run({ flags }, ctx) {
    const { uri, db, source } = ctx.mongoConfig()
    const setting = ctx.layoutSetting()
    const store = await ctx.store()
    const [layout, counts, accounts] = await Promise.all([
      store.layout(),
      store.countDocuments(),
      store.listAccounts(),
    ])
    const admins = accounts.filter((a) => a.admin).length
    const disabled = accounts.filter((a) => a.disabled).length
    const out = ctx.io.stdout
    if (flags.json) {
      const database = { name: db, uri: redactUri(uri), source }
      out.write(`${JSON.stringify({ database, layout, setting, counts, admins, disabled })}\n`)
      return
    }
    out.write(
      table([
        ['database', `${db} at ${redactUri(uri)} (${source})`],
        ['layout', `${layout} (${why(setting, layout)})`],
        ['holodules', String(counts.holodules)],
        ['schedules', String(counts.schedules)],
        ['streamers', String(counts.streamers)],
        ['users', `${counts.users} (${admins} admin, ${disabled} disabled)`],
      ]),
    )
    const other: Layout = layout === 'schedules' ? 'holodules' : 'schedules'
    if (counts[layout] === 0 && counts[other] > 0)
      out.write(`note: the API reads ${layout}, which is empty; ${other} holds ${counts[other]}\n`)
  },
}
