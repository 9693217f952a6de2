import type { Document } from 'mongodb'
import { isObject } from './envelope.js'
import { forbidden, invalid } from './errors.js'
import { checkOperators } from './operators.js'

/** Stages that write: an aggregate is a read. */
const WRITE_STAGES = new Set(['$out', '$merge'])
/** Stages that read the server rather than the collection: its host, operations, sessions, indexes. */
const ADMIN_STAGES = new Set([
  '$collStats',
  '$currentOp',
  '$indexStats',
  '$listLocalSessions',
  '$listSessions',
  '$planCacheStats',
  '$listSearchIndexes',
  '$listSampledQueries',
  '$listClusterCatalog',
  '$shardedDataDistribution',
  '$querySettings',
  '$changeStream',
])
/** Every other stage must be one of these reads of documents; a new server stage is refused until listed. */
const READ_STAGES = new Set([
  '$addFields',
  '$bucket',
  '$bucketAuto',
  '$count',
  '$densify',
  '$facet',
  '$fill',
  '$geoNear',
  '$graphLookup',
  '$group',
  '$limit',
  '$lookup',
  '$match',
  '$project',
  '$redact',
  '$replaceRoot',
  '$replaceWith',
  '$sample',
  '$search',
  '$searchMeta',
  '$set',
  '$setWindowFields',
  '$skip',
  '$sort',
  '$sortByCount',
  '$unionWith',
  '$unset',
  '$unwind',
  '$vectorSearch',
])
const COLLECTION_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,119}$/

const checkStageName = (name: string): void => {
  if (WRITE_STAGES.has(name)) throw forbidden(`the stage ${name} writes and is refused`)
  if (ADMIN_STAGES.has(name)) throw forbidden(`the stage ${name} reads server internals and is refused`)
  if (!READ_STAGES.has(name)) throw invalid(`the stage ${name} is not supported`)
}

/** A collection a stage names must be one of this database's, never `system.*` or another database. */
const collectionName = (stage: string, field: string, v: unknown): string => {
  if (typeof v !== 'string' || !COLLECTION_PATTERN.test(v) || v.startsWith('system.'))
    throw invalid(`${stage}: ${field} must be a collection name of this database`)
  return v
}
const MAX_PIPELINE_DEPTH = 8

/** The collections one stage reads besides the pipeline's own, and its sub-pipelines. */
const stageReads = (name: string, spec: unknown): { reads: string[]; subs: unknown[][] } => {
  const reads: string[] = []
  const subs: unknown[][] = []
  if (name === '$lookup' || name === '$graphLookup') {
    // A $lookup with a pipeline and no `from` reads no collection ($documents is refused above).
    if (isObject(spec) && (name === '$graphLookup' || spec.from !== undefined))
      reads.push(collectionName(name, 'from', spec.from))
    if (isObject(spec) && Array.isArray(spec.pipeline)) subs.push(spec.pipeline)
  } else if (name === '$unionWith') {
    if (typeof spec === 'string') reads.push(collectionName(name, 'coll', spec))
    else if (isObject(spec)) {
      if (spec.coll !== undefined) reads.push(collectionName(name, 'coll', spec.coll))
      if (Array.isArray(spec.pipeline)) subs.push(spec.pipeline)
    }
  } else if (name === '$facet' && isObject(spec)) {
    for (const sub of Object.values(spec)) if (Array.isArray(sub)) subs.push(sub)
  }
  return { reads, subs }
}

/**
 * Checks a pipeline's stages (one key each, known reads only: no writes, no server introspection,
 * no server-side JavaScript) and returns the
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
      checkStageName(name)
      const found = stageReads(name, spec)
      reads.push(...found.reads)
      for (const sub of found.subs) walk(sub, depth + 1)
    }
  }
  walk(pipeline, 0)
  checkOperators(pipeline, 'pipeline')
  return { pipeline: pipeline as Document[], reads }
}
