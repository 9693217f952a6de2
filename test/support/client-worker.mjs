// A Worker that uses the built holodule-api/client (imported by name, bundled by wrangler) against
// a server given as API_URL: POST {username, password, day, generation} → what the client saw.
import { createClient, HoloduleApiError } from 'holodule-api/client'

export default {
  async fetch(request, env) {
    const { username, password, day, generation } = await request.json()
    const statuses = []
    const client = createClient({
      baseUrl: env.API_URL,
      generation,
      fetch: async (input, init) => {
        const res = await fetch(input, init)
        statuses.push(res.status)
        return res
      },
    })
    try {
      await client.login(username, password)
      const first = await client.getDay(day)
      const again = await client.getDay(day)
      return Response.json({
        keys: first.map((r) => r.key),
        same: JSON.stringify(first) === JSON.stringify(again),
        statuses,
      })
    } catch (e) {
      if (e instanceof HoloduleApiError) return Response.json({ kind: e.kind, status: e.status, statuses })
      throw e
    }
  },
}
