// The package's index requires every backend it has (node:cluster, Redis, SQL, …); the Workers'
// bundles import the three modules we use by path, typed from the package's own declarations.
declare module 'rate-limiter-flexible/lib/RateLimiterMemory.js' {
  import { RateLimiterMemory } from 'rate-limiter-flexible'
  export default RateLimiterMemory
}
declare module 'rate-limiter-flexible/lib/RateLimiterMongo.js' {
  import { RateLimiterMongo } from 'rate-limiter-flexible'
  export default RateLimiterMongo
}
declare module 'rate-limiter-flexible/lib/RateLimiterRes.js' {
  import { RateLimiterRes } from 'rate-limiter-flexible'
  export default RateLimiterRes
}
