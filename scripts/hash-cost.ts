// Median cost of one password verification at the policy strength, on whichever runtime runs it:
//   node --import tsx scripts/hash-cost.ts      npx bun scripts/hash-cost.ts
import { createPasswordVerifier, DEFAULT_PASSWORD_ITERATIONS, hashPassword } from '#src/auth/password.js'

const runs = Number(process.argv[2] ?? 7)
const stored = await hashPassword('correct horse battery staple', DEFAULT_PASSWORD_ITERATIONS)
const verifier = createPasswordVerifier(DEFAULT_PASSWORD_ITERATIONS)
const times: number[] = []
for (let i = 0; i < runs; i++) {
  const t = performance.now()
  await verifier.verify('correct horse battery staple', stored)
  times.push(performance.now() - t)
}
times.sort((a, b) => a - b)
const runtime = typeof Bun === 'undefined' ? `node ${process.version}` : `bun ${Bun.version}`
console.log(
  `${runtime}: PBKDF2-SHA256 i=${DEFAULT_PASSWORD_ITERATIONS}, median of ${runs}: ${times[Math.floor(runs / 2)]?.toFixed(0)} ms`,
)
