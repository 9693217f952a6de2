/**
 * The load of a throughput run: wrk (bench/lib/wrk.ts) when it is installed and the run needs nothing
 * only autocannon does; autocannon (bench/lib/autocannon.ts) otherwise.
 */
import { runAutocannon } from './autocannon.js'
import type { LoadResult, LoadSpec, LoadTool } from './load-spec.js'
import { runWrk, wrkBinary } from './wrk.js'

/** Whether wrk can drive `spec`: a per-request body, a cap on requests or a classifier need autocannon. */
const wrkCan = (spec: LoadSpec): boolean =>
  spec.bodies === undefined && spec.maxRequests === undefined && spec.classify === undefined

/** The tool `runLoad` uses for `spec` on this machine. */
export const loadToolFor = (spec: LoadSpec): LoadTool =>
  wrkCan(spec) && wrkBinary() !== null ? 'wrk' : 'autocannon'

/** One bounded run, with wrk when it is installed and can drive `spec`, else autocannon. */
export const runLoad = (spec: LoadSpec): Promise<LoadResult> => {
  const wrk = wrkCan(spec) ? wrkBinary() : null
  return wrk ? runWrk(wrk, spec) : runAutocannon(spec)
}
