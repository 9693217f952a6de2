import { runCli } from './cli.js'

// exitCode rather than exit(): pending output reaches a pipe, and a long-running command stays up.
process.exitCode = await runCli(
  process.argv.slice(2),
  { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
  process.env,
)
