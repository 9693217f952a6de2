import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, it } from 'node:test'
import { DOCS_ASSETS, type DocsAssetName } from '#src/app/index.js'
import { nodeDocsAssets } from '#src/runtime/node/docs-assets.js'

describe('nodeDocsAssets', () => {
  it('reads every file the page names from the installed swagger-ui-dist', async () => {
    const assets = nodeDocsAssets()
    const require = createRequire(import.meta.url)
    for (const name of Object.keys(DOCS_ASSETS) as DocsAssetName[]) {
      const body = await assets(name)
      assert.ok(body !== null, name)
      const onDisk = readFileSync(require.resolve(`swagger-ui-dist/${name}`))
      if (name.endsWith('.png')) assert.deepEqual(Buffer.from(body as Uint8Array), onDisk)
      else assert.equal(body, onDisk.toString('utf8'))
    }
    assert.match((await assets('swagger-ui-bundle.js')) as string, /SwaggerUIBundle/)
  })

  it('answers null when the package cannot be found from where it resolves', async () => {
    const assets = nodeDocsAssets('file:///nonexistent/dir/x.js')
    assert.equal(await assets('swagger-ui.css'), null)
  })

  it('answers null for a file the installed package lacks', async () => {
    const assets = nodeDocsAssets(import.meta.url)
    assert.equal(await assets('no-such-file.css' as DocsAssetName), null)
  })
})
