import { hashPassword } from '../../auth/password.js'
import { MemoryStore } from '../../store/memory/memory-store.js'
import { japanDay, sampleHolodules } from '../../store/memory/sample-data.js'

const DEMO_USER = 'demo'

/** The embedded default: sample days around today and one user with a random password. */
export const demoStore = async (passwordIterations: number, nowMs: number) => {
  const password = Array.from(crypto.getRandomValues(new Uint8Array(12)), (b) => b.toString(36)).join('')
  const store = new MemoryStore({
    users: [{ id: '1', username: DEMO_USER, password: await hashPassword(password, passwordIterations) }],
    holodules: sampleHolodules(nowMs),
  })
  return { store, password }
}

/** The demo login and a ready-to-paste curl session, printed once listening. */
export const demoBanner = (host: string, port: number, password: string, nowMs: number): string => {
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`
  return [
    'holodule-api: no MONGODB_URI, serving the embedded sample schedule.',
    `  demo user: ${DEMO_USER}  password: ${password}`,
    '  try:',
    `  TOKEN=$(curl -s -X POST ${base}/auth -H 'Content-Type: application/json' \\`,
    `    -d '{"username": "${DEMO_USER}", "password": "${password}"}' | sed 's/.*"access_token":"\\([^"]*\\)".*/\\1/')`,
    `  curl -s ${base}/holodules/${japanDay(nowMs)} -H "Authorization: JWT $TOKEN"`,
  ].join('\n')
}
