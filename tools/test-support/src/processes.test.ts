import assert from 'node:assert/strict'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { test } from 'node:test'
import { type ProcessGroup, processGroup, stop, until } from './processes.ts'

const node = process.execPath

test('a group captures stdout and stderr by name; diagnose shows the last lines of each', async () => {
  const group = processGroup()
  const child = group.start('talker', node, [
    '-e',
    'for (let i = 1; i <= 5; i++) console.log("out " + i); console.error("err")',
  ])
  await once(child, 'exit')
  assert.match(group.log('talker'), /out 1\n[\s\S]*out 5\n/)
  assert.match(group.log('talker'), /err\n/)
  assert.equal(group.log('nobody'), '')
  const shown = group.diagnose(3)
  assert.match(shown, /^\n--- talker\n/)
  assert.doesNotMatch(shown, /out 1/)
})

test('a log keeps its latest maxLog characters', async () => {
  const group = processGroup({ maxLog: 100 })
  const child = group.start('long', node, ['-e', 'for (let i = 0; i < 1000; i++) console.log("line " + i)'])
  await once(child, 'exit')
  assert.equal(group.log('long').length, 100)
  assert.match(group.log('long'), /line 999\n$/)
})

test('a command that cannot start: its error is in its log, stopAll has nothing to stop', async () => {
  const group = processGroup()
  const child = group.start('missing', '/nonexistent/junction-test-support', [])
  await once(child, 'error')
  assert.match(group.log('missing'), /ENOENT/)
  await group.stopAll()
})

test('stop: SIGTERM by PID; SIGKILL after the grace when SIGTERM is ignored', async () => {
  const group = processGroup()
  const polite = group.start('polite', node, ['-e', 'setInterval(() => {}, 1000); console.log("up")'])
  const stubborn = group.start('stubborn', node, [
    '-e',
    'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000); console.log("up")',
  ])
  await until(() => group.log('polite') !== '' && group.log('stubborn') !== '', 10_000, 'both up')
  await stop(polite)
  assert.equal(polite.signalCode, 'SIGTERM')
  await group.stopAll(200)
  assert.equal(stubborn.signalCode, 'SIGKILL')
  await stop(stubborn) // exited already: nothing to do
})

test('stop ends what a child forked: a grandchild that ignores SIGTERM and holds the output pipe', async () => {
  const group = processGroup()
  // the parent prints its grandchild's PID and exits on SIGTERM; the grandchild ignores SIGTERM
  // and keeps the parent's stdout (the pipe to us) open, as Kamailio's workers did
  const { parent, gpid } = await withGrandchild(
    group,
    'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)',
    '["ignore", "inherit", "inherit"]',
  )
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0)
      return true
    } catch {
      return false
    }
  }
  assert.equal(alive(gpid), true)
  await stop(parent, 300)
  assert.equal(parent.signalCode, 'SIGTERM')
  // the grandchild got SIGKILL after the grace (it may stay a zombie until its new parent reaps it)
  await until(() => !alive(gpid) || /\bZ\b/.test(stateOf(gpid)), 5000, 'the grandchild gone')
  assert.equal(parent.stdout?.destroyed, true)
})

test('members: the PIDs of the children and of what they forked, none once stopped', async () => {
  const group = processGroup()
  const { parent, gpid } = await withGrandchild(group, 'setInterval(() => {}, 1000)', '"ignore"')
  assert.deepEqual(
    group.members().sort((a, b) => a - b),
    [parent.pid!, gpid].sort((a, b) => a - b),
  )
  await group.stopAll(2000)
  assert.deepEqual(group.members(), [])
})

/**
 * Starts a `parent` in `group` that forks a grandchild running `code` with `stdio` (JSON text) and
 * prints its PID; resolves with both once printed.
 */
async function withGrandchild(group: ProcessGroup, code: string, stdio: string) {
  const parent = group.start('parent', node, [
    '-e',
    `const c = require("node:child_process").spawn(process.execPath, ["-e", ${JSON.stringify(code)}], { stdio: ${stdio} }); console.log("grandchild " + c.pid); setInterval(() => {}, 1000)`,
  ])
  await until(
    () => /grandchild \d+/.test(group.log('parent')),
    10_000,
    'the grandchild',
    () => group.diagnose(),
  )
  return { parent, gpid: Number(/grandchild (\d+)/.exec(group.log('parent'))![1]) }
}

/** The state letter of a process from /proc (Linux), or '' when it is gone. */
function stateOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.charAt(0) ?? ''
  } catch {
    return ''
  }
}

test('until: resolves once the condition holds; times out naming what it waited for, with the detail', async () => {
  let n = 0
  await until(() => ++n > 3, 1000)
  await assert.rejects(
    until(
      () => false,
      30,
      'Godot',
      () => '\n--- logs',
    ),
    {
      message: 'timed out after 30 ms waiting for Godot\n--- logs',
    },
  )
})
