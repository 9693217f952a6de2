import assert from 'node:assert/strict'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import { describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

/**
 * The naming rule of test/README.md: the unit tests of `src/<path>.ts` are
 * `test/unit/<path>.test.ts`, and a folder's (a route feature's `src/app/routes/<feature>/`) are
 * `test/unit/<path-of-the-folder>.test.ts`; one subject's tests may be split by aspect as
 * `<path>.<aspect>.test.ts` (`app/routes/schedules.cache.test.ts`). This file is the fence's own
 * exception: it tests the layout, not a module.
 */
const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const UNIT = join(ROOT, 'test/unit')
const SRC = join(ROOT, 'src')
const SELF = 'layout.test.ts'

const filesUnder = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)],
  )

/** What a file under test/unit tests, or why it breaks the rule. */
const subjectOf = (file: string, src = SRC): { ok: true; subject: string } | { ok: false; why: string } => {
  if (!file.endsWith('.test.ts'))
    return { ok: false, why: 'is not a *.test.ts file (helpers go in test/support)' }
  const named = file.slice(0, -'.test.ts'.length)
  // `<path>.<aspect>`: the aspect is a word after the last dot of the file's own name.
  const path = /\.[a-z-]+$/.test(named.split('/').pop() ?? '') ? named.replace(/\.[a-z-]+$/, '') : named
  if (existsSync(join(src, `${path}.ts`))) return { ok: true, subject: `src/${path}.ts` }
  const folder = join(src, path)
  if (existsSync(folder) && statSync(folder).isDirectory()) return { ok: true, subject: `src/${path}/` }
  return { ok: false, why: `names neither src/${path}.ts nor a folder src/${path}/` }
}

describe('test/unit mirrors src', () => {
  it('names an existing src module or folder in every file', () => {
    const broken = filesUnder(UNIT)
      .map((f) => relative(UNIT, f).split(sep).join('/'))
      .filter((f) => f !== SELF)
      .flatMap((f) => {
        const s = subjectOf(f)
        return s.ok ? [] : [`test/unit/${f} ${s.why}`]
      })
    assert.deepEqual(broken, [], 'see test/README.md for the rule')
  })

  it('catches a file that names no module, and one that is not a test', () => {
    assert.deepEqual(subjectOf('auth/token.test.ts'), { ok: true, subject: 'src/auth/token.ts' })
    assert.deepEqual(subjectOf('app/routes/auth.test.ts'), { ok: true, subject: 'src/app/routes/auth/' })
    assert.equal(subjectOf('app/app-type.test.ts').ok, false)
    assert.equal(subjectOf('auth/no-such-module.test.ts').ok, false)
    assert.equal(subjectOf('auth/helpers.ts').ok, false)
    assert.deepEqual(subjectOf('app/routes/schedules.cache.test.ts'), {
      ok: true,
      subject: 'src/app/routes/schedules/',
    })
    assert.equal(subjectOf('app/routes/nothing.cache.test.ts').ok, false)
  })
})
