#!/usr/bin/env node
// The CLI ships compiled; in a checkout that was not built yet, say so in one line.
const entry = new URL('../dist/cli/main.js', import.meta.url)
try {
  await import(entry.href)
} catch (e) {
  if (e?.code !== 'ERR_MODULE_NOT_FOUND' || !String(e.message).includes('dist/cli/main.js')) throw e
  console.error("holodule: not built yet; run 'npm run build' (or 'npx tsx src/cli/main.ts')")
  process.exitCode = 1
}
