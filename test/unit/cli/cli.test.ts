import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { redactDetail, redactUri, runCli } from '#src/cli/cli.js'
import { CliError } from '#src/cli/context.js'
import { parseHoloduleFile } from '#src/cli/holodule-file.js'
import { parseMongoConfig } from '#src/config/config.js'

const base = {
  code: 'HL0503',
  video_id: 'yEttl2nfhsQ',
  datetime: '20201209 230000',
  name: '尾丸ポルカ',
  title: 't',
  url: 'https://www.youtube.com/watch?v=yEttl2nfhsQ',
  description: '',
}
const line = (over: Record<string, unknown> = {}) => JSON.stringify({ ...base, ...over })

test('a valid record gets its derived key; unknown fields such as _id are dropped', () => {
  const { records, rejected, format } = parseHoloduleFile(`${line({ _id: { $oid: 'x' }, extra: 1 })}\n`)
  assert.equal(format, 'json-lines')
  assert.deepEqual(rejected, [])
  assert.deepEqual(records, [{ key: 'HL0503_20201209_230000', ...base }])
  assert.deepEqual(Object.keys(records[0] ?? {}), [
    'key',
    'code',
    'video_id',
    'datetime',
    'name',
    'title',
    'url',
    'description',
  ])
})

test('each bad JSON line is rejected with its physical line number and reason', () => {
  const content = [
    line(),
    '',
    line({ datetime: '20210229 120000', code: 'A' }),
    line({ datetime: '20201209 240000', code: 'B' }),
    line({ datetime: '2020-12-09 23:00', code: 'C' }),
    line({ key: 'HL0000_20201209_230000', code: 'D' }),
    line({ code: 'E', title: 5, video_id: undefined }),
    '{"code": ',
    '"a string"',
    line({ code: 'F', datetime: '20240229 235959' }),
    line(),
  ].join('\r\n')
  const { records, rejected } = parseHoloduleFile(`\uFEFF${content}`)
  assert.deepEqual(
    records.map((r) => r.key),
    ['HL0503_20201209_230000', 'F_20240229_235959'],
  )
  assert.deepEqual(rejected, [
    { at: 'line 3', reason: 'datetime: is not a real date and time' },
    { at: 'line 4', reason: 'datetime: is not a real date and time' },
    { at: 'line 5', reason: 'datetime: must be "YYYYMMDD HHMMSS"' },
    { at: 'line 6', reason: 'key: must be "D_20201209_230000" (code_date_time)' },
    { at: 'line 7', reason: 'video_id: is required; title: must be a string' },
    { at: 'line 8', reason: 'not valid JSON' },
    { at: 'line 9', reason: 'not a JSON object' },
    { at: 'line 11', reason: 'key "HL0503_20201209_230000" repeats line 1' },
  ])
})

test('a JSON array reports positions as index + 1; a broken array is one error', () => {
  const { format, records, rejected } = parseHoloduleFile(
    `  [${line()}, [], ${line({ code: '', datetime: '20201209 230000' })}]`,
  )
  assert.equal(format, 'json-array')
  assert.equal(records.length, 1)
  assert.deepEqual(rejected, [
    { at: 'record 2', reason: 'not a JSON object' },
    { at: 'record 3', reason: 'code: must not be empty' },
  ])
  assert.throws(() => parseHoloduleFile(`[${line()}`), CliError)
})

test('connection strings are shown without their password', () => {
  assert.equal(redactUri('mongodb://admin:s3cr%40t@db:27017/x'), 'mongodb://admin:***@db:27017/x')
  assert.equal(redactUri('mongodb+srv://u:p@cluster.example/'), 'mongodb+srv://u:***@cluster.example/')
  assert.equal(redactUri('mongodb://127.0.0.1:27017/'), 'mongodb://127.0.0.1:27017/')
  assert.equal(redactUri('mongodb://u:p@ss/w@db/'), 'mongodb://u:***@db/')
  assert.equal(redactUri('mongodb://onlyuser@db/'), 'mongodb://onlyuser@db/')
})

test('parseMongoConfig: the database settings alone, no JWT secret needed', () => {
  assert.deepEqual(parseMongoConfig({ MONGODB_URI: 'mongodb://db:27017/' }), {
    ok: true,
    config: {
      uri: 'mongodb://db:27017/',
      source: 'MONGODB_URI',
      db: 'holoduledb',
      passwordIterations: 600_000,
    },
  })
  const legacy = parseMongoConfig({
    MONGODB_HOST: 'db:27017',
    MONGODB_USER: 'adm in',
    MONGODB_PASSWORD: 'p@ss',
  })
  assert.ok(legacy.ok)
  assert.equal(legacy.config.uri, 'mongodb://adm%20in:p%40ss@db:27017/')
  assert.equal(legacy.config.source, 'MONGODB_HOST')

  const missing = parseMongoConfig({ MONGODB_URI: '', JWT_SECRET_KEY: 'short' })
  assert.ok(!missing.ok)
  assert.match(missing.errors.join('\n'), /^MONGODB_URI: not set/)
  const bad = parseMongoConfig({
    MONGODB_URI: 'http://db/',
    MONGODB_DB: 'a b',
    PASSWORD_PBKDF2_ITERATIONS: '1000',
  })
  assert.ok(!bad.ok)
  assert.deepEqual(
    bad.errors.map((e) => e.split(':')[0]),
    ['MONGODB_URI', 'MONGODB_DB', 'PASSWORD_PBKDF2_ITERATIONS'],
  )
})

test('driver messages lose the userinfo password only, never letters of host names', () => {
  const uri = 'mongodb+srv://u:p@cluster0.example.invalid/'
  assert.equal(
    redactDetail('querySrv ENOTFOUND _mongodb._tcp.cluster0.example.invalid', uri),
    'querySrv ENOTFOUND _mongodb._tcp.cluster0.example.invalid',
  )
  assert.equal(
    redactDetail(
      'failed to connect to mongodb://admin:s3cr%40t@db:27017/x (timeout)',
      'mongodb://admin:s3cr%40t@db:27017/x',
    ),
    'failed to connect to mongodb://admin:***@db:27017/x (timeout)',
  )
  assert.equal(
    redactDetail('auth failed for admin:s3cr@t@db', 'mongodb://admin:s3cr%40t@db:27017/x'),
    'auth failed for admin:***@db',
  )
})

test('an SRV lookup that fails is "cannot reach the database at …", the host intact', async () => {
  const out: string[] = []
  const io = {
    stdin: process.stdin,
    stdout: { write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream,
    stderr: { write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream,
  }
  const code = await runCli(['user', 'list'], io, {
    MONGODB_URI: 'mongodb+srv://u:p@cluster0.example.invalid/',
  })
  assert.equal(code, 1)
  const text = out.join('')
  assert.match(
    text,
    /^holodule: cannot reach the database at MONGODB_URI \(mongodb\+srv:\/\/u:\*\*\*@cluster0\.example\.invalid\/\): /,
  )
  assert.match(text, /cluster0\.example\.invalid/)
  assert.ok(!text.includes('exam***le'))
})

test('each --help names the variables its command reads, and no others', async () => {
  const help = async (...argv: string[]) => {
    const out: string[] = []
    const sink = { write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream
    await runCli([...argv, '--help'], { stdin: process.stdin, stdout: sink, stderr: sink }, {})
    return out.join('')
  }
  const named = (text: string) =>
    new Set(
      text
        .split('Environment:')[1]
        ?.match(/^ {2}[A-Z][A-Z0-9_]+/gm)
        ?.map((s) => s.trim()),
    )
  // The gateway reads what its config schema reads.
  const schema = readFileSync(new URL('../../../src/config/gateway-config.ts', import.meta.url), 'utf8')
  const gatewayReads = new Set(schema.match(/^ {2}([A-Z][A-Z0-9_]+):/gm)?.map((s) => s.trim().slice(0, -1)))
  assert.deepEqual(named(await help('data-api')), gatewayReads)
  for (const command of [
    ['user', 'add'],
    ['user', 'passwd'],
    ['user', 'migrate-passwords'],
  ]) {
    assert.ok(named(await help(...command)).has('PASSWORD_PBKDF2_ITERATIONS'), command.join(' '))
  }
  for (const command of [
    ['user', 'list'],
    ['user', 'rm'],
    ['db', 'init'],
    ['user', 'admin'],
    ['user', 'disable'],
    ['streamers', 'import'],
    ['streamers', 'list'],
  ]) {
    assert.deepEqual(named(await help(...command)), new Set(['MONGODB_URI', 'MONGODB_DB']), command.join(' '))
  }
  // What depends on the layout in use names the variable that chooses it.
  for (const command of [['holodules', 'import'], ['schedules', 'import'], ['status']])
    assert.deepEqual(
      named(await help(...command)),
      new Set(['MONGODB_URI', 'MONGODB_DB', 'SCHEDULE_LAYOUT']),
      command.join(' '),
    )
})

test('--version, -v and -V print the package version; usage errors stay lowercase', async () => {
  const run = async (...argv: string[]) => {
    const out: string[] = []
    const sink = { write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream
    const code = await runCli(argv, { stdin: process.stdin, stdout: sink, stderr: sink }, {})
    return { code, text: out.join('') }
  }
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  for (const flag of ['--version', '-v', '-V'])
    assert.deepEqual(await run(flag), { code: 0, text: `holodule ${pkg.version}\n` }, flag)
  assert.match((await run('--help')).text, /'holodule -v' \(--version\)/)
  const bad = await run('user', 'list', '--nope')
  assert.equal(bad.code, 2)
  assert.match(bad.text, /^holodule: user list: unknown option '--nope'/)
})
