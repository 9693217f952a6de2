// What an imported field may hold (issue 19, item 7: the import took `javascript:` URLs, HTML in ids,
// 100 KB codes and NUL bytes). Ids are patterned as the collectors wrote them, text is capped, and no
// field holds a control character but tab and line breaks: these rows are served to every client.
import { z } from 'zod'
import { requiredAs } from './record-file.js'

/** A YouTube video id: 11 characters of its URL-safe alphabet, as the 2020 and 2024 collectors cut it from the URL. */
export const VIDEO_ID = /^[A-Za-z0-9_-]{11}$/
/** A member code: HL0503, HL0G02, HLEN01, HLDI00 in the collectors' lists; any short token of the same kind. */
export const CODE = /^[A-Za-z0-9_-]{1,32}$/
/** A stream's key: code_YYYYMMDD_HHMMSS as derived, or a dump's own of the same alphabet. */
export const KEY = /^[A-Za-z0-9_-]{1,64}$/

/** Where a control character other than tab, line feed and carriage return is, or -1. */
const controlAt = (s: string): number => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) return i
  }
  return -1
}

const hex = (c: number) => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`

/** A string of at most `max` characters without control characters (a NUL byte above all). */
export const text = (max: number, what = 'a string') =>
  z
    .string(requiredAs(what))
    .max(max, `must be at most ${max} characters`)
    .superRefine((s, ctx) => {
      const at = controlAt(s)
      if (at >= 0)
        ctx.addIssue({
          code: 'custom',
          message: `holds a control character (${hex(s.charCodeAt(at))}) at character ${at + 1}`,
        })
    })

/** Text, or null read as empty, as the 2024 collector may leave it. */
export const nullableText = (max: number) => z.preprocess((v) => (v === null ? '' : v), text(max))

/** A string matching `pattern`, empty refused first (the message every file used). */
export const token = (pattern: RegExp, what: string) =>
  z
    .string(requiredAs('a string'))
    .min(1, { message: 'must not be empty', abort: true })
    .regex(pattern, `must be ${what}`)

export const code = token(CODE, '1 to 32 letters, digits, _ or - (like HL0503)')
export const videoId = token(VIDEO_ID, 'a YouTube video id: 11 of A-Z, a-z, 0-9, _ and -')
export const key = token(KEY, '1 to 64 letters, digits, _ or -')

/** The hosts YouTube serves a video's page on. */
const WATCH_HOSTS = new Set(['www.youtube.com', 'youtube.com', 'm.youtube.com'])

/**
 * The video id an https YouTube URL names: `youtube.com/watch?v=ID` (what schedule.hololive.tv links
 * and both collectors stored), `/live/ID`, `/shorts/ID`, or `youtu.be/ID`; null for anything else.
 */
export const youtubeVideoOf = (url: string): string | null => {
  // Printable ASCII only: the URL parser would drop tabs and line breaks and accept what it fixed.
  if (url.length > 2048 || !/^[!-~]+$/.test(url)) return null
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return null
  }
  if (u.protocol !== 'https:' || u.username || u.password || u.port) return null
  let id: string | null = null
  if (u.hostname === 'youtu.be') id = u.pathname.slice(1)
  else if (WATCH_HOSTS.has(u.hostname))
    id =
      u.pathname === '/watch'
        ? u.searchParams.get('v')
        : (/^\/(?:live|shorts)\/([^/]+)$/.exec(u.pathname)?.[1] ?? null)
  return id !== null && VIDEO_ID.test(id) ? id : null
}

export const URL_RULE = 'an https YouTube URL of the video (https://www.youtube.com/watch?v=<video_id>)'

/** The URL check, with video_id: the URL must name the same video (the collectors derived one from the other). */
export const checkUrl = (
  r: { url: string; video_id: string },
  ctx: { addIssue(issue: { code: 'custom'; path: string[]; message: string }): void },
) => {
  const id = youtubeVideoOf(r.url)
  if (id === null) ctx.addIssue({ code: 'custom', path: ['url'], message: `must be ${URL_RULE}` })
  else if (VIDEO_ID.test(r.video_id) && id !== r.video_id)
    ctx.addIssue({
      code: 'custom',
      path: ['url'],
      message: `names video ${JSON.stringify(id)}, not video_id's`,
    })
}

/** Caps of the text fields: twice YouTube's own where it has one (title 100, description 5,000). */
export const MAX = { name: 200, title: 500, description: 10_000, other: 200, tags: 100 } as const
