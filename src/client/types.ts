// The types the client's modules share.

/** The fetch the client calls; the global one by default. */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>

/** Which generation of clients the client speaks as (see ClientOptions.generation). */
export type Generation = 1 | 2 | 3
