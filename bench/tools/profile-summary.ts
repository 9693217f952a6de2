/**
 * Prints where a V8 .cpuprofile spent its time: the top functions by self time, and by package.
 * Usage: npm run bench:profile-summary -- bench/results/CPU.*.cpuprofile
 * (node --import tsx bench/tools/profile-summary.ts FILE.cpuprofile)
 */
import { readFileSync } from 'node:fs'

interface Node {
  id: number
  callFrame: { functionName: string; url: string; lineNumber: number }
  hitCount: number
}
const file = process.argv[2]
if (!file) throw new Error('usage: profile-summary.ts FILE.cpuprofile')
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[] }
const total = profile.samples.length
const byFn = new Map<string, number>()
const byArea = new Map<string, number>()
for (const n of profile.nodes) {
  const url = n.callFrame.url
    .replace(/^file:\/\/.*?node_modules\//, '')
    .replace(/^file:\/\/.*?\/(src|dist)\//, '$1/')
  const key = `${n.callFrame.functionName || '(anonymous)'}  ${url}:${n.callFrame.lineNumber + 1}`
  byFn.set(key, (byFn.get(key) ?? 0) + n.hitCount)
  const area =
    n.callFrame.url === ''
      ? n.callFrame.functionName || '(native)'
      : url
          .split('/')
          .slice(0, url.startsWith('@') ? 2 : 1)
          .join('/') || url
  byArea.set(area, (byArea.get(area) ?? 0) + n.hitCount)
}
const top = (m: Map<string, number>, k: number) =>
  [...m.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, k)
    .map(([name, hits]) => `${((hits / total) * 100).toFixed(1).padStart(5)}%  ${name}`)
    .join('\n')
console.log(`${total} samples\n\nby area:\n${top(byArea, 15)}\n\nby function (self):\n${top(byFn, 30)}`)
