// The junction-client process: arguments in, events out, the exit code out. Ctrl-C ends a
// long-running command cleanly (unregister, BYE); a second Ctrl-C exits at once.
import { run } from './cli.ts'

const controller = new AbortController()
let interrupted = 0
process.on('SIGINT', () => {
  interrupted++
  if (interrupted > 1) process.exit(130)
  controller.abort()
})

process.exitCode = await run(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  color: process.stdout.isTTY === true && process.env['NO_COLOR'] === undefined,
  signal: controller.signal,
})
// nothing of ours is left running; an open handle of a peer must not keep the process alive
setTimeout(() => process.exit(process.exitCode ?? 0), 200).unref()
