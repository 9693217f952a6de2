import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ENV_VARIABLES } from '#src/cli/context.js'
import {
  assignedNames,
  difference,
  gatewayVariables,
  mongoVariables,
  OUTSIDE_THE_SCHEMAS,
  readRepoFile as read,
  serverVariables,
} from '../support/variable-names.js'

/**
 * The variables are declared once, in the schemas; the example file, the README's table and the
 * CLI's --help lines describe them, and must name each of them, and no other.
 */
const envExample = (): string[] => assignedNames(read('.env.example'))

/** The names in the first column of the README's `| variable | default | meaning |` table. */
const readmeTable = (): string[] => {
  const readme = read('README.md')
  const start = readme.indexOf('| variable | default | meaning |')
  assert.ok(start >= 0, 'README has the variable table')
  const table = readme.slice(start, readme.indexOf('\n\n', start)).split('\n').slice(2)
  return table.flatMap((row) =>
    [...(row.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] as string),
  )
}

describe('every variable is declared once and listed everywhere', () => {
  const server = serverVariables()
  const gateway = gatewayVariables()

  it('.env.example: the servers and the Data API gateway, with WORKERS', () => {
    assert.deepEqual(difference(envExample(), [...server, ...gateway, 'WORKERS']), {
      missing: [],
      unknown: [],
    })
  })

  it("README's table: the servers, with WORKERS and ENV_FILE", () => {
    const expected = [...server, 'WORKERS', 'ENV_FILE']
    assert.deepEqual(difference(readmeTable(), expected), { missing: [], unknown: [] })
  })

  it("the CLI's ENV_VARIABLES: what its commands read (the database and the gateway)", () => {
    const keys = Object.keys(ENV_VARIABLES)
    // The old service's MONGODB_HOST, MONGODB_USER and MONGODB_PASSWORD are named in MONGODB_URI's line.
    const mentioned = [
      ...keys,
      ...Object.values(ENV_VARIABLES).flatMap((line) => line.match(/[A-Z][A-Z0-9_]{2,}/g) ?? []),
    ]
    const expected = [...new Set([...mongoVariables(), ...gateway])]
    assert.deepEqual(difference(mentioned, expected).missing, [])
    assert.deepEqual(difference(keys, expected).unknown, [])
  })

  it('the variables read outside the schemas are read where this test says', () => {
    for (const [name, file] of Object.entries(OUTSIDE_THE_SCHEMAS))
      assert.match(read(file), new RegExp(`env\\.${name}\\b`), `${file} reads ${name}`)
    for (const name of Object.keys(OUTSIDE_THE_SCHEMAS))
      assert.ok(!server.includes(name) && !gateway.includes(name))
  })
})
