// Streamer documents as a file (`holodule streamers import`): the 2024 collector's, or the older
// one's with `affiliations` as a string like "['gen0', 'jp']" and `is_retired` as "False".
import { z } from 'zod'
import { affiliationsOf, booleanOf } from '../store/layouts/schedules.js'
import type { StreamerInput } from '../store/records.js'
import { code, MAX, nullableText, text } from './fields.js'
import { type ParsedFile, parseRecordFile } from './record-file.js'

const field = nullableText(MAX.other)

/** One member; unknown fields (a dump's `_id` included) are dropped: members are known by `code`. */
export const streamerInputSchema = z
  .object({
    code,
    name: field,
    group: field,
    affiliations: z
      .union([z.array(text(MAX.tags)).max(MAX.tags), text(MAX.description)], {
        error: 'must be an array of strings or its text',
      })
      .nullable()
      .optional(),
    image_name: field.optional(),
    channel_id: field.optional(),
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
