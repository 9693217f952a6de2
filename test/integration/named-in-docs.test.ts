import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, it } from 'node:test'
import { REPO_ROOT } from '#harness/server-process.js'
import {
  assignedNames,
  gatewayVariables,
  OUTSIDE_THE_SCHEMAS,
  readRepoFile,
  serverVariables,
  workerVariables,
} from '../support/variable-names.js'

/**
 * What the README, docs/, the example files and src/'s READMEs tell a reader to run or to set must
 * exist: `npm run dev:data-api` outlived its script, and a variable misspelt in an example file is
 * silently ignored.
 */
const EXAMPLES = ['.env.example', '.dev.vars.example', 'wrangler.toml.example']

/** src/**\/README.md, found by walking src/. */
const srcReadmes = (dir = join(REPO_ROOT, 'src')): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? srcReadmes(join(dir, e.name))
      : e.name === 'README.md'
        ? [relative(REPO_ROOT, join(dir, e.name))]
        : [],
  )

const documents = (): string[] => [
  'README.md',
  ...readdirSync(join(REPO_ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
  ...EXAMPLES,
  ...srcReadmes(),
]

const scripts = Object.keys(
  (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts,
)

/**
 * Every script a text names: `npm run <name>`, and a bare `dev:worker-direct` in backticks (a
 * table lists several after one `npm run`) whose part before the colon starts a real script's name.
 */
const scriptsNamed = (text: string): string[] => {
  const run = [...text.matchAll(/\bnpm run ([a-z][\w:-]*)/g)].map((m) => m[1] as string)
  const families = new Set(scripts.map((s) => s.split(':')[0]))
  const bare = [...text.matchAll(/`([a-z]+):([a-z][\w-]*)`/g)]
    .filter((m) => families.has(m[1] as string))
    .map((m) => `${m[1]}:${m[2]}`)
  return [...run, ...bare]
}

describe('what the docs name exists', () => {
  it('every npm script named in README.md, docs/*.md, the example files and src/**/README.md is in package.json', () => {
    const missing = documents().flatMap((file) =>
      scriptsNamed(readRepoFile(file))
        .filter((name) => !scripts.includes(name))
        .map((name) => `${file}: npm run ${name}`),
    )
    assert.deepEqual(missing, [])
  })

  it('finds what it looks for (the check cannot pass by reading nothing)', () => {
    assert.ok(srcReadmes().length > 3)
    assert.deepEqual(scriptsNamed('`npm run dev:data-api` and `dev:worker-direct`, `http:only`'), [
      'dev:data-api',
      'dev:worker-direct',
    ])
    assert.ok(scriptsNamed(readRepoFile('README.md')).includes('dev:gateway'))
  })

  describe('every variable an example file sets is one the config reads', () => {
    const server = serverVariables()
    const gateway = gatewayVariables()
    const worker = workerVariables()
    const outside = Object.keys(OUTSIDE_THE_SCHEMAS)
    /** `NAME=` inside a line too: the shell commands the comments give (`MONGODB_URI=… npm run dev:gateway`). */
    const inline = (text: string) =>
      [...text.matchAll(/(?:^|[\s#])([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] as string)
    const unknown = (listed: string[], known: string[]) => [
      ...new Set(listed.filter((n) => !known.includes(n))),
    ]

    it('.env.example: the servers and the gateway', () => {
      const text = readRepoFile('.env.example')
      assert.deepEqual(
        unknown([...assignedNames(text), ...inline(text)], [...server, ...gateway, ...outside]),
        [],
      )
    })

    it(".dev.vars.example: the Worker's bindings; its gateway command, the gateway's", () => {
      const text = readRepoFile('.dev.vars.example')
      assert.ok(assignedNames(text).length > 3)
      assert.deepEqual(unknown(assignedNames(text), worker), [])
      assert.deepEqual(unknown(inline(text), [...worker, ...gateway, 'MONGODB_URI']), [])
    })

    it("wrangler.toml.example: [vars] are the Worker's bindings", () => {
      const text = readRepoFile('wrangler.toml.example')
      const vars = [...text.slice(text.indexOf('[vars]')).matchAll(/^#?\s*([A-Z][A-Z0-9_]*)\s*=/gm)].map(
        (m) => m[1] as string,
      )
      assert.ok(vars.length > 5)
      assert.deepEqual(unknown(vars, worker), [])
      // The variables its comments name in backticks or as `wrangler secret put NAME`.
      const named = [
        ...text.matchAll(/secret put ([A-Z][A-Z0-9_]*)|\b(DATA_API_\w+|MONGODB_\w+|JWT_\w+)\b/g),
      ].map((m) => (m[1] ?? m[2]) as string)
      assert.deepEqual(unknown(named, [...worker, ...gateway]), [])
    })
  })
})
