import type { Document } from 'mongodb'
import { isObject } from './envelope.js'
import { forbidden, invalid } from './errors.js'
import { checkOperators } from './operators.js'

/** Stages that write: an aggregate is a read. */
const WRITE_STAGES = new Set(['$out', '$merge'])
const MAX_PIPELINE_DEPTH = 8

/** The collections one stage reads besides the pipeline's own, and its sub-pipelines. */
const stageReads = (name: string, spec: unknown): { reads: string[]; subs: unknown[][] } => {
  const reads: string[] = []
  const subs: unknown[][] = []
  if (name === '$lookup' || name === '$graphLookup') {
    if (isObject(spec) && typeof spec.from === 'string') reads.push(spec.from)
    if (isObject(spec) && Array.isArray(spec.pipeline)) subs.push(spec.pipeline)
  } else if (name === '$unionWith') {
    if (typeof spec === 'string') reads.push(spec)
    else if (isObject(spec)) {
      if (typeof spec.coll === 'string') reads.push(spec.coll)
      if (Array.isArray(spec.pipeline)) subs.push(spec.pipeline)
    }
  } else if (name === '$facet' && isObject(spec)) {
    for (const sub of Object.values(spec)) if (Array.isArray(sub)) subs.push(sub)
  }
  return { reads, subs }
}

/**
 * Checks a pipeline's stages (one key each, no writes, no server-side JavaScript) and returns the
 * collections it reads through $lookup, $graphLookup or $unionWith, so the caller can check the key.
 */
export const checkPipeline = (pipeline: unknown[]): { pipeline: Document[]; reads: string[] } => {
  const reads: string[] = []
  const walk = (stages: unknown[], depth: number) => {
    if (depth > MAX_PIPELINE_DEPTH) throw invalid('pipeline is nested too deeply')
    for (const stage of stages) {
      if (!isObject(stage) || Object.keys(stage).length !== 1)
        throw invalid('each pipeline stage must be an object with exactly one key')
      const [name, spec] = Object.entries(stage)[0] as [string, unknown]
      if (WRITE_STAGES.has(name)) throw forbidden(`the stage ${name} writes and is refused`)
      const found = stageReads(name, spec)
      reads.push(...found.reads)
      for (const sub of found.subs) walk(sub, depth + 1)
    }
  }
  walk(pipeline, 0)
  checkOperators(pipeline, 'pipeline')
  return { pipeline: pipeline as Document[], reads }
}
