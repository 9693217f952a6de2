// Median cost of one password verification at the policy strength, on whichever runtime runs it:
// PBKDF2 (what this service writes) and bcrypt at passlib's default cost 12 (the 2024 service's
// records), inline (as workerd runs them) and on the hashing threads (as the Node and Bun entries do).
//   node --import tsx scripts/hash-cost.ts [runs]      node_modules/.bin/bun scripts/hash-cost.ts [runs]
import {
  createPasswordVerifier,
  DEFAULT_PASSWORD_ITERATIONS,
  type Hasher,
  hashPassword,
  inlineHasher,
} from '#src/auth/password.js'
import { silentLogger } from '#src/lib/logger.js'
import { prioritizedHasher } from '#src/runtime/node/hashing.js'

const runs = Number(process.argv[2] ?? 7)
const PASSWORD = 'correct horse battery staple'
const pbkdf2 = await hashPassword(PASSWORD, DEFAULT_PASSWORD_ITERATIONS)
/** passlib 1.7.4: `CryptContext(schemes=['bcrypt']).hash('correct horse battery staple')`. */
const bcrypt = '$2b$12$.9/BhI4PqSSugNE7X4RjSulVJOaXqOxmQUif7ZTzOPKCT9y7gNJay'

const median = async (hasher: Hasher, stored: string) => {
  const verifier = createPasswordVerifier(DEFAULT_PASSWORD_ITERATIONS, 'accept', hasher)
  const first = await verifier.verify(PASSWORD, stored) // warms up (and starts the threads' bcryptjs)
  if (!first.ok) throw new Error(`${stored} does not verify`)
  const wall: number[] = []
  const cpu: number[] = []
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    const c = process.cpuUsage()
    await verifier.verify(PASSWORD, stored)
    const used = process.cpuUsage(c)
    wall.push(performance.now() - t)
    // The whole process's, threads included: what the check costs however busy the machine is.
    cpu.push((used.user + used.system) / 1000)
  }
  const mid = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(runs / 2)]?.toFixed(0)
  return `${mid(wall)} ms (CPU ${mid(cpu)} ms)`
}

const threads = prioritizedHasher(silentLogger, 1)
const runtime = typeof Bun === 'undefined' ? `node ${process.version}` : `bun ${Bun.version}`
console.log(`${runtime}, median of ${runs}:`)
console.log(
  `  PBKDF2-SHA256 i=${DEFAULT_PASSWORD_ITERATIONS}: WebCrypto ${await median(inlineHasher, pbkdf2)}`,
)
console.log(`    on a hashing thread ${await median(threads, pbkdf2)}`)
console.log(`  bcrypt cost 12 (bcryptjs): inline ${await median(inlineHasher, bcrypt)}`)
console.log(`    on a hashing thread ${await median(threads, bcrypt)}`)
process.exit(0)
