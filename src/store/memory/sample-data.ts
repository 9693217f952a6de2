import { deriveKey } from '../layouts/holodules.js'
import type { HoloduleRecord } from '../records.js'

/** Talents and the kind of streams they often schedule; rows are written for this project. */
const TALENTS: Array<{ code: string; name: string; titles: string[] }> = [
  { code: 'HL0001', name: 'ときのそら', titles: ['【歌枠】まったりお歌の時間♪', '【雑談】今週のふりかえり'] },
  {
    code: 'HL0101',
    name: '白上フブキ',
    titles: ['【ゲーム実況】新作ホラーに挑戦！', '【朝活】おはようフブキ'],
  },
  { code: 'HL0203', name: '湊あくあ', titles: ['【APEX】ランクまったり', '【マイクラ】建築の続き'] },
  {
    code: 'HL0301',
    name: '兎田ぺこら',
    titles: ['【ぺこらマミー】凸待ち', '【耐久】クリアするまで終われないぺこ！'],
  },
  {
    code: 'HL0402',
    name: '天音かなた',
    titles: ['【歌ってみた】新曲告知＆歌枠', '【雑談】筋トレしながらおしゃべり'],
  },
  { code: 'HL0503', name: '尾丸ポルカ', titles: ['【座長】ポルカサーカス開幕！', '【雑談】夜ふかしラジオ'] },
  {
    code: 'HL0601',
    name: 'ラプラス・ダークネス',
    titles: ['【holoX】定例会議', '【ゲーム】深夜の格闘ゲーム'],
  },
]

const HOURS = ['000000', '120000', '180000', '200000', '210000', '220000', '230000']

/** A deterministic 11-character id of YouTube's alphabet, so sample rows look real and stay stable. */
const videoId = (seed: string): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  // FNV-1a over the seed, then a 32-bit finaliser per character: the per-position FNV of before
  // mixed too little and gave ids like 'rrrrrrrrrrq'.
  let h = 2166136261
  for (const ch of seed) h = Math.imul(h ^ ch.charCodeAt(0), 16777619)
  let out = ''
  for (let i = 0; i < 11; i++) {
    h = (h + 0x9e3779b9) | 0
    let x = h
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d)
    x = Math.imul(x ^ (x >>> 15), 0x846ca68b)
    x ^= x >>> 16
    out += alphabet[(x >>> 0) % 64]
  }
  return out
}

/** `YYYYMMDD` of the Japan-time day `offset` days from `nowMs`. */
export const japanDay = (nowMs: number, offset = 0): string =>
  new Date(nowMs + 9 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '')

/** Yesterday, today and tomorrow in Japan time, 5 to 7 streams a day. */
export const sampleHolodules = (nowMs: number): HoloduleRecord[] => {
  const rows: HoloduleRecord[] = []
  for (const offset of [-1, 0, 1]) {
    const day = japanDay(nowMs, offset)
    const count = 5 + ((Number(day) + 1) % 3)
    for (let i = 0; i < count; i++) {
      const talent = TALENTS[(Number(day) + i) % TALENTS.length] as (typeof TALENTS)[number]
      const datetime = `${day} ${HOURS[i] as string}`
      const id = videoId(`${talent.code}${datetime}`)
      const title = talent.titles[i % talent.titles.length] as string
      rows.push({
        key: deriveKey(talent.code, datetime),
        code: talent.code,
        video_id: id,
        datetime,
        name: talent.name,
        title,
        url: `https://www.youtube.com/watch?v=${id}`,
        description: `${talent.name}の配信です。${title}`,
      })
    }
  }
  return rows
}
