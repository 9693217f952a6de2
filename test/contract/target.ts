import type { Layout } from '#src/store/store.js'

/** What the contract suite needs from a running API, in-process or over HTTP. */
export interface ContractTarget {
  fetch(path: string, init?: RequestInit): Promise<Response>
  /** The stored `password` field, where the target can read its data (checks the legacy rewrite). */
  storedPassword?(username: string): Promise<string | null>
  /**
   * Which layout the target's database holds the fixture's streams in (one at a time: `auto` reads
   * `schedules` once it holds documents). Absent: `holodules`, the 2020 layout, as seedMongo writes
   * by default.
   */
  layout?: Layout
  /**
   * Headers a front in the way adds to every answer, with their values (nginx: `server`, and
   * `strict-transport-security`, the TLS terminator's): the header cases allow exactly these beyond
   * the app's set and the transport's. Absent: the app answers directly.
   */
  frontHeaders?: Readonly<Record<string, string>>
}
