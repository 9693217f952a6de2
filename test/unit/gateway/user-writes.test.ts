import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { BSON } from 'mongodb'
import { DEFAULT_PASSWORD_ITERATIONS, hashPassword } from '#src/auth/password.js'
import type { ActionRequest } from '#src/gateway/envelope.js'
import { DataApiHttpError } from '#src/gateway/errors.js'
import { checkUserWrite, type UserWrite } from '#src/gateway/user-writes.js'

const update = (filter: Record<string, unknown>, change: Record<string, unknown>, upsert = false) =>
  ({ action: 'updateOne', filter, update: change, upsert }) as unknown as ActionRequest

const refusal = async (grant: UserWrite, req: ActionRequest): Promise<string | null> => {
  try {
    await checkUserWrite(grant, req)
    return null
  } catch (e) {
    assert.ok(e instanceof DataApiHttpError)
    assert.equal(e.status, 403)
    return e.message
  }
}

describe('upgradePassword: the Worker login rewrite only (issue 19, item 3)', () => {
  let strong: string
  let otherPassword: string
  let stored: string
  before(async () => {
    strong = await hashPassword('password02', DEFAULT_PASSWORD_ITERATIONS)
    otherPassword = await hashPassword('attacker', DEFAULT_PASSWORD_ITERATIONS)
    stored = await hashPassword('password01', DEFAULT_PASSWORD_ITERATIONS)
  })
  const read = { username: 'user02', password: 'password02' }

  it('accepts the write the login sends: the plain text read, replaced by its hash at the policy', async () => {
    assert.equal(await refusal('upgradePassword', update(read, { $set: { password: strong } })), null)
  })

  it('refuses a weak hash, a hash of another password, and the replacement of a stored hash', async () => {
    const weak = await hashPassword('password02', 1)
    assert.match(
      (await refusal('upgradePassword', update(read, { $set: { password: weak } }))) ?? '',
      /PBKDF2-SHA256 hash of 600000 iterations or more/,
    )
    const bcrypt = '$2b$12$neiCywqTYIuT/Lk9/quUr.X7E4b4OLzAANhf0nwHa1p1YhOLYQcQq'
    assert.ok(await refusal('upgradePassword', update(read, { $set: { password: bcrypt } })))
    assert.ok(await refusal('upgradePassword', update(read, { $set: { password: 'plain' } })))
    assert.match(
      (await refusal('upgradePassword', update(read, { $set: { password: otherPassword } }))) ?? '',
      /a hash of the plain-text password it replaces/,
    )
    assert.match(
      (await refusal(
        'upgradePassword',
        update({ username: 'user01', password: stored }, { $set: { password: otherPassword } }),
      )) ?? '',
      /replacing plain text only/,
    )
  })

  it('refuses every other shape: $rename, $unset, other fields, other filters, upsert', async () => {
    for (const [filter, change, upsert] of [
      [read, { $rename: { password: 'p' } }, false],
      [read, { $unset: { password: '' } }, false],
      [read, { $set: { password: strong }, $unset: { disabled: '' } }, false],
      [read, { $set: { password: strong, admin: true } }, false],
      [read, { $set: { password: strong } }, true],
      [{ username: 'user02' }, { $set: { password: strong } }, false],
      [{ ...read, admin: true }, { $set: { password: strong } }, false],
      [{ username: { $ne: 'x' }, password: 'password02' }, { $set: { password: strong } }, false],
    ] as const) {
      assert.ok(await refusal('upgradePassword', update(filter, change, upsert)), JSON.stringify(change))
    }
    const many = {
      action: 'updateMany' as const,
      filter: read,
      update: { $set: { password: strong } },
      upsert: false,
    }
    assert.match((await refusal('upgradePassword', many as unknown as ActionRequest)) ?? '', /updateOne only/)
  })
})

describe("updateUser: the admin's PATCH /users/{id} only", () => {
  const byId = { _id: new BSON.ObjectId() }

  it('accepts what accountSet writes: names, flags, a strong hash and its time', async () => {
    const hash = await hashPassword('new password', DEFAULT_PASSWORD_ITERATIONS)
    const set = {
      firstname: 'A',
      lastname: null,
      disabled: true,
      admin: false,
      password: hash,
      password_changed_at: 1_700_000_001,
    }
    assert.equal(await refusal('updateUser', update(byId, { $set: set })), null)
    assert.equal(await refusal('updateUser', update(byId, { $set: { disabled: false } })), null)
  })

  it('refuses a weak hash, other fields, other filters, other operators and upsert', async () => {
    const weak = await hashPassword('pw', 1000)
    for (const [filter, change, upsert] of [
      [byId, { $set: { password: weak } }, false],
      [byId, { $set: { password: 'plain text' } }, false],
      [byId, { $set: { role: 'x' } }, false],
      [byId, { $set: { admin: 'true' } }, false],
      [byId, { $rename: { password: 'x' } }, false],
      [byId, { $set: { disabled: true } }, true],
      [{ username: 'user01' }, { $set: { disabled: true } }, false],
      [{ _id: 'not-an-object-id' }, { $set: { disabled: true } }, false],
    ] as const) {
      assert.ok(
        await refusal('updateUser', update(filter, change, upsert)),
        JSON.stringify({ filter, change }),
      )
    }
  })
})
