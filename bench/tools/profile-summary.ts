/**
 * Prints where a V8 .cpuprofile spent its time: the top functions by self time, and by package, as
 * shares of the busy samples (idle left out: a server under a bounded load idles between requests,
 * and its share says how loaded the run was, not where a request's time goes). `--skip S` leaves out
 * the first S seconds (start-up: module compilation, the login) so what remains is the load.
 * Usage: npm run bench:profile-summary -- [--skip S] bench/results/CPU.*.cpuprofile
 * (node --import tsx bench/tools/profile-summary.ts [--skip S] FILE.cpuprofile)
 */
import { readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount: number
}
const { values, positionals } = parseArgs({ options: { skip: { type: 'string' } }, allowPositionals: true })
const file = positionals[0]
if (!file) throw new Error('usage: profile-summary.ts [--skip S] FILE.cpuprofile')
const profile = JSON.parse(readFileSync(file, 'utf8')) as {
  nodes: Node[]
  samples: number[]
  timeDeltas: number[]
}
// Samples after the first `skip` seconds, counted per node (hitCount counts them all).
const skipUs = Number(values.skip ?? 0) * 1e6
const hits = new Map<number, number>()
let t = 0
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i] ?? 0
  if (t >= skipUs) hits.set(id, (hits.get(id) ?? 0) + 1)
})
const byFn = new Map<string, number>()
const byArea = new Map<string, number>()
let idle = 0
let total = 0
for (const n of profile.nodes) {
  const count = hits.get(n.id) ?? 0
  total += count
  if (n.callFrame.functionName === '(idle)') {
    idle += count
    continue
  }
  const url = n.callFrame.url
    .replace(/^file:\/\/.*?node_modules\//, '')
    .replace(/^file:\/\/.*?\/(src|dist)\//, '$1/')
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${url}:${n.callFrame.lineNumber + 1}`
  byFn.set(key, (byFn.get(key) ?? 0) + count)
  const area =
    n.callFrame.url === ''
      ? n.callFrame.functionName || '(native)'
      : url
          .split('/')
          .slice(0, url.startsWith('@') ? 2 : 1)
          .join('/') || url
  byArea.set(area, (byArea.get(area) ?? 0) + count)
}
const busy = total - idle
const top = (m: Map<string, number>, k: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, n]) => `${((n / busy) * 100).toFixed(1).padStart(5)}%  ${name}`)
    .join('\n')
console.log(
  `${total} samples${skipUs ? ` after the first ${values.skip} s` : ''}, ${busy} busy (${((busy / total) * 100).toFixed(0)}%); shares of the busy ones\n\n` +
    `by area:\n${top(byArea, 15)}\n\nby function (self):\n${top(byFn, 30)}`,
)
