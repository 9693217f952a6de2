import { z } from 'zod'
import { isCalendarDate } from '../store/days.js'
import { deriveKey } from '../store/layouts/holodules.js'
import type { HoloduleRecord } from '../store/records.js'
import { checkUrl, code, KEY, key, MAX, text, videoId } from './fields.js'
import { type ParsedFile, parseRecordFile, requiredAs } from './record-file.js'

const isRealTime = (hhmmss: string): boolean =>
  Number(hhmmss.slice(0, 2)) < 24 && Number(hhmmss.slice(2, 4)) < 60 && Number(hhmmss.slice(4, 6)) < 60

/** One stream as the old service stored it; unknown fields (such as a mongoexport `_id`) are dropped. */
export const holoduleInputSchema = z
  .object({
    key: key.optional(),
    code,
    video_id: videoId,
    datetime: z
      .string(requiredAs('a string'))
      .regex(/^\d{8} \d{6}$/, { message: 'must be "YYYYMMDD HHMMSS"', abort: true })
      .refine((v) => isCalendarDate(v.slice(0, 8)) && isRealTime(v.slice(9)), 'is not a real date and time'),
    name: text(MAX.name),
    title: text(MAX.title),
    url: z.string(requiredAs('a string')),
    description: text(MAX.description),
  })
  .superRefine((h, ctx) => {
    checkUrl(h, ctx)
    const expected = deriveKey(h.code, h.datetime)
    if (h.key !== undefined && KEY.test(h.key) && h.key !== expected)
      ctx.addIssue({
        code: 'custom',
        path: ['key'],
        message: `must be ${JSON.stringify(expected)} (code_date_time)`,
      })
  })
  .transform(
    (h): HoloduleRecord => ({
      key: deriveKey(h.code, h.datetime),
      code: h.code,
      video_id: h.video_id,
      datetime: h.datetime,
      name: h.name,
      title: h.title,
      url: h.url,
      description: h.description,
    }),
  )

/** A file of 2020 rows (`holodules import`): see parseRecordFile; a key may appear once. */
export const parseHoloduleFile = (content: string): ParsedFile<HoloduleRecord> =>
  parseRecordFile(content, holoduleInputSchema, (r) => [['key', r.key]])
