import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseGatewayConfig } from '#src/config/gateway-config.js'
import { authenticate, canRead, canReadAll, isAllowed, parseApiKeys } from '#src/gateway/keys.js'

const K1 = 'k1-0123456789abcdefghijklmnopqrstuvwxyz'
const K2 = 'k2-0123456789abcdefghijklmnopqrstuvwxyz'

describe('DATA_API_KEYS', () => {
  it('reads the compact form', async () => {
    const r = await parseApiKeys(
      `worker:${K1}@holoduledb.holodules=read,holoduledb.users=read+upgradePassword; admin:${K2}@holoduledb.*=readWrite`,
    )
    assert.ok(r.ok)
    const [worker, admin] = r.keys
    assert.ok(worker && admin)
    assert.equal(worker.name, 'worker')
    assert.ok(isAllowed(worker, 'find', 'holoduledb', 'holodules'))
    assert.ok(isAllowed(worker, 'aggregate', 'holoduledb', 'holodules'))
    assert.ok(!isAllowed(worker, 'updateOne', 'holoduledb', 'holodules'))
    assert.ok(isAllowed(worker, 'upgradePassword', 'holoduledb', 'users'))
    assert.ok(!isAllowed(worker, 'updateOne', 'holoduledb', 'users'))
    assert.ok(!isAllowed(worker, 'updateMany', 'holoduledb', 'users'))
    assert.ok(!isAllowed(worker, 'find', 'otherdb', 'users'))
    assert.ok(isAllowed(admin, 'deleteMany', 'holoduledb', 'anything'))
    assert.ok(canRead(admin, 'holoduledb', 'x'))
    assert.ok(!canRead(worker, 'holoduledb', 'x'))
  })

  it('grants findOne apart from find and upsert apart from the update actions', async () => {
    const r = await parseApiKeys(
      `worker:${K1}@holoduledb.holodules=find+findOne,holoduledb.users=findOne+upgradePassword;` +
        `sync:${K2}@holoduledb.holodules=read+replaceOne+upsert`,
    )
    assert.ok(r.ok)
    const [worker, sync] = r.keys
    assert.ok(worker && sync)
    assert.ok(isAllowed(worker, 'findOne', 'holoduledb', 'users'))
    assert.ok(!isAllowed(worker, 'find', 'holoduledb', 'users'))
    assert.ok(!isAllowed(worker, 'aggregate', 'holoduledb', 'users'))
    assert.ok(isAllowed(worker, 'upgradePassword', 'holoduledb', 'users'))
    assert.ok(!isAllowed(worker, 'upsert', 'holoduledb', 'users'))
    assert.ok(canRead(worker, 'holoduledb', 'users'))
    assert.ok(!canReadAll(worker, 'holoduledb', 'users'))
    assert.ok(canReadAll(worker, 'holoduledb', 'holodules'))
    assert.ok(isAllowed(sync, 'upsert', 'holoduledb', 'holodules'))
    assert.ok(isAllowed(sync, 'replaceOne', 'holoduledb', 'holodules'))
    // The old words keep their meaning: read has no upsert, readWrite has everything.
    const old = await parseApiKeys(`a:${K1}@db.c=read+updateOne;b:${K2}@db.*=readWrite`)
    assert.ok(old.ok)
    assert.ok(!isAllowed(old.keys[0]!, 'upsert', 'db', 'c'))
    assert.ok(isAllowed(old.keys[0]!, 'find', 'db', 'c'))
    assert.ok(isAllowed(old.keys[1]!, 'upsert', 'db', 'c'))
    const bad = await parseApiKeys(`a:${K1}@db.c=upsertOne`)
    assert.ok(!bad.ok)
    assert.match(
      bad.errors.join('\n'),
      /unknown access "upsertOne" \(read, readWrite, an action name, upsert, upgradePassword or updateUser\)/,
    )
  })

  it('refuses updates of users named as actions: upgradePassword, updateUser or readWrite (issue 19, item 3)', async () => {
    for (const access of ['findOne+updateOne', 'updateMany', 'read+replaceOne']) {
      const r = await parseApiKeys(`worker:${K1}@holoduledb.users=${access}`)
      assert.ok(!r.ok, access)
      assert.match(
        r.errors.join('\n'),
        /holoduledb\.users: \w+ is not granted on users by name: upgradePassword \(the Worker's login\), updateUser \(its admin \/users writes\) or readWrite/,
      )
    }
    const elsewhere = await parseApiKeys(`w:${K1}@db.feeds=upgradePassword`)
    assert.ok(!elsewhere.ok)
    assert.match(elsewhere.errors.join('\n'), /upgradePassword is granted on users only/)
    const r = await parseApiKeys(
      `w:${K1}@db.users=findOne+upgradePassword+updateUser,db.things=updateOne;a:${K2}@db.*=readWrite`,
    )
    assert.ok(r.ok)
    const [w, a] = r.keys
    assert.ok(w && a)
    assert.ok(isAllowed(w, 'updateUser', 'db', 'users'))
    assert.ok(isAllowed(w, 'updateOne', 'db', 'things'), 'updateOne keeps its meaning elsewhere')
    assert.ok(!isAllowed(w, 'anyUserUpdate', 'db', 'users'))
    assert.ok(isAllowed(a, 'anyUserUpdate', 'db', 'users'), 'readWrite updates users as it likes')
  })

  it('reads the JSON form', async () => {
    const r = await parseApiKeys(
      JSON.stringify([{ name: 'ro', key: K1, allow: { 'holoduledb.holodules': 'read' } }]),
    )
    assert.ok(r.ok)
    assert.ok(isAllowed(r.keys[0]!, 'findOne', 'holoduledb', 'holodules'))
    assert.ok(!isAllowed(r.keys[0]!, 'insertOne', 'holoduledb', 'holodules'))
  })

  it('names every bad entry and never echoes a key', async () => {
    const r = await parseApiKeys(`a:short@db.c=read;b:${K1}@nodot=read;c:${K2}@db.c=write;a:${K1}x@db.c=read`)
    assert.ok(!r.ok)
    const text = r.errors.join('\n')
    assert.match(text, /entry 1 \(a\): key must be 32-256/)
    assert.match(text, /entry 2 \(b\): "nodot" is not database.collection/)
    assert.match(text, /entry 3 \(c\) db.c: unknown access "write"/)
    assert.ok(!text.includes(K1) && !text.includes(K2) && !text.includes('short'))
    assert.ok(!(await parseApiKeys('[{"name": 1}]')).ok)
    assert.ok(!(await parseApiKeys('[')).ok)
    assert.ok(!(await parseApiKeys(`x:${K1}@db.c=read;x:${K2}@db.c=read`)).ok)
  })

  it('finds the presented key and only that one', async () => {
    const r = await parseApiKeys(`one:${K1}@db.c=read;two:${K2}@db.c=readWrite`)
    assert.ok(r.ok)
    assert.equal((await authenticate(r.keys, K1))?.name, 'one')
    assert.equal((await authenticate(r.keys, K2))?.name, 'two')
    assert.equal(await authenticate(r.keys, K1.slice(0, -1)), null)
    assert.equal(await authenticate(r.keys, ''), null)
  })

  it('the gateway config names every missing variable', async () => {
    const r = await parseGatewayConfig({ DATA_API_PORT: 'x' })
    assert.ok(!r.ok)
    const text = r.errors.join('\n')
    assert.match(text, /DATA_API_PORT/)
    assert.match(text, /MONGODB_URI: required/)
    assert.match(text, /DATA_API_KEYS: required/)
    const ok = await parseGatewayConfig({
      MONGODB_URI: 'mongodb://127.0.0.1:1/',
      DATA_API_KEYS: `a:${K1}@db.c=read`,
    })
    assert.ok(ok.ok)
    assert.equal(ok.config.dataSource, 'mongodb-atlas')
    assert.equal(ok.config.maxTimeMS, 5000)
    assert.equal(ok.config.maxResponseBytes, 16 * 1024 * 1024)
  })

  it('reads DATA_API_MAX_TIME_MS and DATA_API_MAX_RESPONSE_BYTES and names them when wrong', async () => {
    const base = { MONGODB_URI: 'mongodb://127.0.0.1:1/', DATA_API_KEYS: `a:${K1}@db.c=read` }
    const ok = await parseGatewayConfig({
      ...base,
      DATA_API_MAX_TIME_MS: '250',
      DATA_API_MAX_RESPONSE_BYTES: '65536',
    })
    assert.ok(ok.ok)
    assert.equal(ok.config.maxTimeMS, 250)
    assert.equal(ok.config.maxResponseBytes, 65536)
    const bad = await parseGatewayConfig({
      ...base,
      DATA_API_MAX_TIME_MS: '0',
      DATA_API_MAX_RESPONSE_BYTES: 'x',
    })
    assert.ok(!bad.ok)
    assert.match(bad.errors.join('\n'), /^DATA_API_MAX_TIME_MS: /m)
    assert.match(bad.errors.join('\n'), /^DATA_API_MAX_RESPONSE_BYTES: /m)
  })
})
