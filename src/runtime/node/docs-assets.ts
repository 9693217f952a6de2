import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { DocsAssetName, DocsAssets } from '../../app/index.js'

/**
 * Swagger UI's files from the installed swagger-ui-dist, found the way Node and Bun resolve the
 * package (so a hoisted or nested node_modules both work), never through a CDN. The app asks only
 * for names it knows, and keeps what it read. Text files are read as text, the icon as bytes.
 * `null` when the package or the file is not installed: /docs then answers 404 for that file.
 */
export const nodeDocsAssets = (from: string = import.meta.url): DocsAssets => {
  let dir: string | null | undefined
  const packageDir = () => {
    if (dir === undefined) {
      try {
        dir = dirname(createRequire(from).resolve('swagger-ui-dist/package.json'))
      } catch {
        dir = null
      }
    }
    return dir
  }
  return async (name: DocsAssetName) => {
    const root = packageDir()
    if (root === null) return null
    const path = join(root, name)
    try {
      return name.endsWith('.png') ? new Uint8Array(await readFile(path)) : await readFile(path, 'utf8')
    } catch (e) {
      // A release of the package without this file: 404 for it; any other failure is the app's 500.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null
      throw e
    }
  }
}
