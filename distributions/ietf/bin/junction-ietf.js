#!/usr/bin/env node
// Launcher of junction-ietf: runs the TypeScript sources with Node's type stripping (Node >= 22.18),
// resolving workspace packages through their "@junction/source" condition, so no build is needed.
// (A `#!/usr/bin/env -S node --conditions=...` shebang on a .ts file would need `env -S`, and
// package managers write their own shims from the shebang; this file works with plain `node`.)
import { registerHooks } from 'node:module'

registerHooks({
  resolve(specifier, context, nextResolve) {
    return nextResolve(specifier, { ...context, conditions: [...context.conditions, '@junction/source'] })
  },
})
// a reader that went away (`--help | head`) ends the output, not the process with a stack trace
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(0)
  throw error
})
await import('../src/main.ts')
