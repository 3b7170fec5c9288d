/**
 * `junction-ctl [--url URL] <method> [params...]`: calls the JSON-RPC 2.0 endpoint of a running
 * flavor's admin server (the kamcmd of Junction). Exit codes: 0 a result, 1 a JSON-RPC error,
 * 2 a usage or connection error.
 */
import { createRequire } from 'node:module'
import { Command, CommanderError, InvalidArgumentError } from 'commander'
import { callRpc } from './client.ts'
import { parseParams } from './params.ts'
import { addUser, ha1Of, removeUser } from './users.ts'

export const exitCodes = { OK: 0, RPC_ERROR: 1, USAGE: 2 } as const

/** Where the admin server of a flavor listens by default. */
export const defaultUrl = 'http://127.0.0.1:8080/rpc'

export interface CliIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** `JUNCTION_CTL_URL` is read from here. */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Standard input, whole (for `--password-stdin`). */
  readonly readStdin?: (() => Promise<string>) | undefined
}

const version: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version

const examples = `
Params are one JSON object or array, or key=value pairs (by name), or plain values (by position).
A value is read as JSON when it is JSON (10, true, null, "10"), else as text.

Examples:
  junction-ctl core.methods
  junction-ctl core.stats
  junction-ctl log.level.set level=debug
  junction-ctl log.level.set '{"level":"info"}'
  junction-ctl --url http://10.0.0.5:8080/rpc routes.list
  junction-ctl --json core.uptime | jq .result

Users files (no server needed; a running flavor reloads the file):
  echo "$PW" | junction-ctl user add /etc/junction/users.yaml alice --realm example.com --password-stdin
  junction-ctl user remove /etc/junction/users.yaml alice
  echo "$PW" | junction-ctl user ha1 alice example.com --password-stdin

Exit codes: 0 result, 1 JSON-RPC error, 2 usage or connection error.
Environment: JUNCTION_CTL_URL sets the default --url, JUNCTION_CTL_TOKEN the bearer token of an
admin server with admin.token (a token on the command line shows in the process list).
`

function rpcUrl(text: string): string {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new InvalidArgumentError('not a URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('not an http(s) URL')
  if (url.pathname === '/') url.pathname = '/rpc'
  return url.href
}

function timeout(text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('not a positive number of milliseconds')
  return n
}

/** `junction-ctl user ha1|add|remove ...`: the users file, no server needed (users.ts). */
async function runUser(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = exitCodes.OK
  const fail = (message: string) => {
    io.stderr(`junction-ctl: ${message}\n`)
    code = exitCodes.RPC_ERROR
  }
  async function password(opts: { password?: string; passwordStdin?: boolean }): Promise<string | undefined> {
    if (opts.password !== undefined) return opts.password
    if (opts.passwordStdin === true && io.readStdin !== undefined) {
      const line = (await io.readStdin()).split(/\r?\n/)[0] ?? ''
      return line === '' ? undefined : line
    }
    return undefined
  }
  const withPassword = (c: Command) =>
    c
      .option('--password-stdin', 'read the password from the first line of standard input')
      .option('--password <password>', 'the password (visible in the process list and shell history)')
  const program = new Command('junction-ctl user')
    .description('Edits a users file of @junction/auth (reloaded by a running flavor when it changes).')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
  withPassword(
    program
      .command('ha1')
      .description('print the HA1 of each algorithm (MD5, SHA-256, SHA-512-256) for a users file or database')
      .argument('<user>')
      .argument('<realm>'),
  ).action(async (user: string, realm: string, opts: { password?: string; passwordStdin?: boolean }) => {
    const pw = await password(opts)
    if (pw === undefined) return fail('give --password-stdin or --password')
    io.stdout(`${JSON.stringify(ha1Of(user, realm, pw), null, 2)}\n`)
  })
  withPassword(
    program
      .command('add')
      .description('add a user with the HA1 of every algorithm (the file is created when missing)')
      .argument('<file>')
      .argument('<user>')
      .requiredOption('-r, --realm <realm>', 'the realm (usually the domain)')
      .option('--plain', 'store the password itself instead of HA1 values (development only)'),
  ).action(
    async (
      file: string,
      user: string,
      opts: { realm: string; plain?: boolean; password?: string; passwordStdin?: boolean },
    ) => {
      const pw = await password(opts)
      if (pw === undefined) return fail('give --password-stdin or --password')
      const r = addUser(file, { user, realm: opts.realm, password: pw, plain: opts.plain })
      if (!r.ok) return fail(r.error)
      io.stdout(`${user} added to ${file} (${r.users} users)\n`)
    },
  )
  program
    .command('remove')
    .description('remove a user')
    .argument('<file>')
    .argument('<user>')
    .option('-r, --realm <realm>', 'only the entry of this realm')
    .action((file: string, user: string, opts: { realm?: string }) => {
      const r = removeUser(file, user, opts.realm)
      if (!r.ok) return fail(r.error)
      io.stdout(`${user} removed from ${file} (${r.users} users)\n`)
    })
  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? exitCodes.OK : exitCodes.USAGE
    throw e
  }
  return code
}

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  if (argv[0] === 'user') return runUser(argv.slice(1), io)
  let code: number = exitCodes.OK
  const program = new Command('junction-ctl')
    .description("Calls the JSON-RPC 2.0 management endpoint of a running Junction flavor's admin server.")
    .version(version, '-V, --version')
    .argument('<method>', 'the method, e.g. core.stats (core.methods lists them)')
    .argument('[params...]', 'the params (see below)')
    .option('-u, --url <url>', 'the endpoint', rpcUrl, io.env['JUNCTION_CTL_URL'] ?? defaultUrl)
    .option('--json', 'print the JSON-RPC response as received, on one line')
    .option('-t, --timeout <ms>', 'give up after this many milliseconds', timeout, 10_000)
    .option('--token <token>', "the admin server's bearer token (admin.token); better: JUNCTION_CTL_TOKEN")
    .addHelpText('after', examples)
    .showHelpAfterError('(junction-ctl --help shows the usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .action(
      async (
        method: string,
        args: string[],
        opts: { url: string; json?: boolean; timeout: number; token?: string },
      ) => {
        const params = parseParams(args)
        if (!params.ok) {
          io.stderr(`junction-ctl: ${params.error}\n`)
          code = exitCodes.USAGE
          return
        }
        let url = opts.url
        if (program.getOptionValueSource('url') === 'default') {
          // a value from the command line went through rpcUrl already; the default did not
          try {
            url = rpcUrl(url)
          } catch {
            io.stderr(`junction-ctl: JUNCTION_CTL_URL is not an http(s) URL: ${url}\n`)
            code = exitCodes.USAGE
            return
          }
        }
        const token = opts.token ?? io.env['JUNCTION_CTL_TOKEN']
        const outcome = await callRpc(url, method, params.params, { timeoutMs: opts.timeout, token })
        switch (outcome.kind) {
          case 'failure':
            io.stderr(`junction-ctl: ${outcome.message}\n`)
            code = exitCodes.USAGE
            return
          case 'error':
            if (opts.json === true) io.stdout(`${outcome.body.trim()}\n`)
            else {
              io.stderr(`junction-ctl: error ${outcome.error.code}: ${outcome.error.message}\n`)
              if (outcome.error.data !== undefined)
                io.stderr(`${JSON.stringify(outcome.error.data, null, 2)}\n`)
            }
            code = exitCodes.RPC_ERROR
            return
          case 'result':
            io.stdout(
              opts.json === true
                ? `${outcome.body.trim()}\n`
                : `${JSON.stringify(outcome.result, null, 2)}\n`,
            )
            code = exitCodes.OK
        }
      },
    )

  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? exitCodes.OK : exitCodes.USAGE
    throw e
  }
  return code
}
