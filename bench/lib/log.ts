/** Progress goes to stderr; stdout carries only the report. */
export const log = (msg: string) => process.stderr.write(`bench: ${msg}\n`)
