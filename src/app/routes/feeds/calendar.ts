import { ICalCalendar } from 'ical-generator'
import type { ScheduleRecord } from '../../../store/records.js'

/** Japan is UTC+9 all year (no daylight saving): the wall clock minus nine hours is UTC. */
const JST_OFFSET_MS = 9 * 3600 * 1000
/** Streams carry no end; an hour is what calendar apps show best and what most streams last. */
const STREAM_MS = 3600 * 1000

/** `2024-01-10T21:00:00` on Japan's wall clock as the instant it names (12:00Z). */
export const japanInstant = (wallClock: string): Date => new Date(Date.parse(`${wallClock}Z`) - JST_OFFSET_MS)

export interface FeedFilter {
  group: string | null
  code: string | null
  keyword: string | null
}

/** The calendar's name: what it holds, so two subscriptions are told apart in the app's list. */
export const calendarName = (f: FeedFilter): string => {
  const parts = [f.group, f.code, f.keyword && `"${f.keyword}"`].filter(Boolean)
  return parts.length === 0 ? 'Hololive schedule' : `Hololive schedule: ${parts.join(', ')}`
}

/**
 * An RFC 5545 calendar of `streams`: one VEVENT per stream, its UID from the video id (stable
 * across polls, so an app updates an event instead of duplicating it), DTSTART in UTC, an hour
 * long, refreshed every 15 minutes. ical-generator escapes text, folds lines at 75 octets and ends
 * them with CRLF.
 */
export const renderCalendar = (streams: ScheduleRecord[], filter: FeedFilter, nowMs: number): string => {
  const calendar = new ICalCalendar({
    prodId: { company: 'holodule-api', product: 'holodule-api', language: 'EN' },
    name: calendarName(filter),
    ttl: 15 * 60,
  })
  // Only as a hint for apps that show a calendar's own zone: every time below is UTC (…Z). Given
  // as the calendar's `timezone`, ical-generator would write floating local times instead.
  calendar.x([{ key: 'X-WR-TIMEZONE', value: 'Asia/Tokyo' }])
  const stamp = new Date(Math.floor(nowMs / 1000) * 1000)
  for (const s of streams) {
    const start = japanInstant(s.streaming_at)
    if (Number.isNaN(start.getTime())) continue
    calendar.createEvent({
      id: `${s.video_id || s.key}@holodule-api`,
      stamp,
      start,
      end: new Date(start.getTime() + STREAM_MS),
      summary: `${s.name}: ${s.title}`,
      url: s.url || null,
      description: s.description,
    })
  }
  // RFC 5545 ends every content line with CRLF, the last one too; ical-generator leaves it off.
  const text = calendar.toString()
  return text.endsWith('\r\n') ? text : `${text}\r\n`
}
