#!/usr/bin/env node
// Launcher of junction-client: runs the TypeScript sources with Node's type stripping (Node >= 22.18),
// resolving workspace packages through their "@junction/source" condition, so no build is needed.
// (A `#!/usr/bin/env -S node --conditions=...` shebang on a .ts file would need `env -S`, and
// package managers write their own shims from the shebang; this file works with plain `node`.)
import { registerHooks } from 'node:module'

registerHooks({
  resolve(specifier, context, nextResolve) {
    return nextResolve(specifier, { ...context, conditions: [...context.conditions, '@junction/source'] })
  },
})
await import('../src/main.ts')
