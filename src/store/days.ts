// Japan calendar days as `YYYYMMDD` strings: validation and the day after (the end of a day's range).

const utcDay = (date: string, offsetDays = 0): Date => {
  const d = new Date(0)
  d.setUTCFullYear(
    Number(date.slice(0, 4)),
    Number(date.slice(4, 6)) - 1,
    Number(date.slice(6, 8)) + offsetDays,
  )
  return d
}

const formatDay = (d: Date): string =>
  String(d.getUTCFullYear()).padStart(4, '0') +
  String(d.getUTCMonth() + 1).padStart(2, '0') +
  String(d.getUTCDate()).padStart(2, '0')

/** True for `YYYYMMDD` naming a day that exists (no 20210230). */
export const isCalendarDate = (date: string): boolean =>
  /^\d{8}$/.test(date) && formatDay(utcDay(date)) === date

/** The exclusive upper bound of a day's range on the `datetime` string. */
export const nextDay = (date: string): string => formatDay(utcDay(date, 1))
