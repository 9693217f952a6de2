import { runCli } from './cli.js'

// The CLI's entrypoint: the one file of src/cli that reads the process environment.
// exitCode rather than exit(): pending output reaches a pipe, and a long-running command stays up.
process.exitCode = await runCli(
  process.argv.slice(2),
  { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
  process.env,
  {
    // Imported on use so the other commands do not load the gateway.
    serveGateway: async () => (await import('../entry/gateway.js')).runGateway(process.env),
  },
)
