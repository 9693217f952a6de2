// Streamer documents as a file (`holodule streamers import`): the 2024 collector's, or the older
// one's with `affiliations` as a string like "['gen0', 'jp']" and `is_retired` as "False".
import { z } from 'zod'
import { affiliationsOf, booleanOf } from '../store/layouts/schedules.js'
import type { StreamerInput } from '../store/records.js'
import { type ParsedFile, parseRecordFile, requiredAs } from './record-file.js'

const text = z.preprocess((v) => (v === null ? '' : v), z.string(requiredAs('a string')))

/** One member; unknown fields (a dump's `_id` included) are dropped: members are known by `code`. */
export const streamerInputSchema = z
  .object({
    code: z.string(requiredAs('a string')).min(1, 'must not be empty'),
    name: text,
    group: text,
    affiliations: z
      .union([z.array(z.string()), z.string()], { error: 'must be an array of strings or its text' })
      .nullable()
      .optional(),
    image_name: text.optional(),
    channel_id: text.optional(),
    is_retired: z
      .union([z.boolean(), z.enum(['True', 'False', 'true', 'false'])], {
        error: 'must be true, false, "True" or "False"',
      })
      .nullable()
      .optional(),
  })
  .transform(
    (s): StreamerInput => ({
      code: s.code,
      name: s.name,
      group: s.group,
      affiliations: affiliationsOf(s.affiliations),
      image_name: s.image_name ?? '',
      channel_id: s.channel_id ?? '',
      is_retired: booleanOf(s.is_retired),
    }),
  )

/** A file of streamers: see parseRecordFile; a `code` may appear once. */
export const parseStreamerFile = (content: string): ParsedFile<StreamerInput> =>
  parseRecordFile(content, streamerInputSchema, (s) => [['code', s.code]])
