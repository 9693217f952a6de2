import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { REPO_ROOT } from '#harness/server-process.js'

/**
 * holodule-api outside a checkout. dist/ is git-ignored, and the package once had no `files` and no
 * build step for npm: a packed or git-installed copy had no dist/client/index.js and its bin said
 * "not built yet". Here: `npm pack` (the suite built dist/ already, so its build step is skipped),
 * installed into an empty project as another project would, the client imported by name and the
 * bin run.
 */
interface Run {
  code: number | null
  stdout: string
  stderr: string
}

const run = (command: string, args: string[], cwd: string, timeout = 120_000): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      command,
      args,
      // npm's own variables of an outer `npm test` stay out: the child npm reads only its flags.
      {
        cwd,
        timeout,
        env: Object.fromEntries(
          Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')),
        ),
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    )
  })

const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
  version: string
  files?: string[]
  scripts: Record<string, string>
}

describe('the package from npm pack, installed in an empty project', () => {
  let dir: string
  let project: string
  let packed: string[] = []

  before(async () => {
    assert.ok(
      existsSync(join(REPO_ROOT, 'dist', 'client', 'index.js')) &&
        existsSync(join(REPO_ROOT, 'dist', 'cli', 'main.js')),
      'dist/ is not built: run npm run build first (npm test does)',
    )
    dir = mkdtempSync(join(tmpdir(), 'holodule-pack-'))
    const pack = await run(
      'npm',
      ['pack', '--ignore-scripts', '--json', '--pack-destination', dir],
      REPO_ROOT,
    )
    assert.equal(pack.code, 0, pack.stderr)
    const [result] = JSON.parse(pack.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>
    assert.ok(result)
    packed = result.files.map((f) => f.path)
    project = join(dir, 'project')
    mkdirSync(project)
    writeFileSync(
      join(project, 'package.json'),
      '{ "name": "another-project", "private": true, "type": "module" }\n',
    )
    // From npm's cache when it holds the dependencies (it does after `npm ci`), else the registry.
    const install = await run(
      'npm',
      [
        'install',
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--no-package-lock',
        '--ignore-scripts',
        join(dir, result.filename),
      ],
      project,
      240_000,
    )
    assert.equal(install.code, 0, install.stderr)
  })
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('package.json builds dist/ for npm pack and for a git install (prepare), and ships only files', () => {
    assert.match(pkg.scripts.prepare ?? pkg.scripts.prepack ?? '', /npm run build/)
    assert.ok(pkg.scripts.prepare, 'prepare: npm builds a git dependency only through prepare')
    assert.ok(pkg.files?.includes('dist/'))
  })

  it('holds the build and the bin, and none of the sources, tests or bench', () => {
    for (const file of [
      'dist/client/index.js',
      'dist/client/index.d.ts',
      'dist/cli/main.js',
      'bin/holodule.mjs',
    ])
      assert.ok(packed.includes(file), `${file} is not in the tarball`)
    const stray = packed.filter(
      (p) => /^(src|test|harness|bench|scripts|deploy|docs)\//.test(p) || p.startsWith('.'),
    )
    assert.deepEqual(stray, [])
  })

  it("import('holodule-api/client') works there, its types resolve", async () => {
    const script =
      "const m = await import('holodule-api/client');" +
      "const api = m.createClient({ baseUrl: 'http://127.0.0.1:9' });" +
      'console.log(typeof m.createClient, typeof api.login, typeof m.HoloduleApiError);' +
      "const { createRequire } = await import('node:module');" +
      "console.log(JSON.stringify(createRequire(import.meta.url)('holodule-api/package.json').exports['./client']))"
    const imported = await run(process.execPath, ['--input-type=module', '-e', script], project)
    assert.equal(imported.code, 0, imported.stderr)
    const [kinds, exportsLine] = imported.stdout.trim().split('\n')
    assert.equal(kinds, 'function function function')
    const types = (JSON.parse(exportsLine ?? '{}') as { types?: string }).types ?? ''
    assert.ok(existsSync(join(project, 'node_modules', 'holodule-api', types)), `no ${types} in the package`)
  })

  it('its holodule bin prints its help (what npx holodule runs)', async () => {
    const help = await run(join(project, 'node_modules', '.bin', 'holodule'), ['--help'], project)
    assert.equal(help.code, 0, help.stderr)
    assert.match(help.stdout, /^Usage: holodule /m)
    assert.doesNotMatch(help.stderr, /not built/)
  })
})
