/**
 * The junction-client command line: `options`, `register`, `message`, `call` (and `call --answer`),
 * `lint`. Exit codes: 0 success, 1 SIP failure (a final response >= 300, a timeout, a broken
 * server), 2 usage or configuration error.
 */
import { createRequire } from 'node:module'
import type { DigestAlgorithm } from '@junction/digest'
import type { TransportName } from '@junction/transport'
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander'
import type { CommonOptions, RunResult } from './agent.ts'
import { parseKey } from './aka.ts'
import { answer, call } from './call.ts'
import { ClientError, exitCodes } from './errors.ts'
import { lint } from './lint.ts'
import { message } from './message.ts'
import { createPrinter } from './output.ts'
import { ping } from './ping.ts'
import { register } from './register.ts'
import { subscribe } from './subscribe.ts'

export interface CliIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** Colours on the wire trace and failures (a terminal). */
  readonly color?: boolean | undefined
  /** Aborted by Ctrl-C: ends `register --duration` and `call --answer`. */
  readonly signal?: AbortSignal | undefined
}

const version: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version

function positiveInt(what: string) {
  return (text: string): number => {
    const n = Number(text)
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${what} must be a whole number >= 0`)
    return n
  }
}

function key(text: string): Uint8Array {
  const k = parseKey(text)
  if (k === undefined) throw new InvalidArgumentError('must be 32 hexadecimal digits (16 octets)')
  return k
}

function sqn(text: string): bigint {
  if (!/^\d+$/.test(text) || BigInt(text) >= 1n << 48n)
    throw new InvalidArgumentError('must be a 48-bit SQN in decimal')
  return BigInt(text)
}

interface Flags {
  transport: TransportName
  proxy?: string
  local?: string
  ca?: string
  insecure?: boolean
  timeout: number
  verbose?: boolean
  json?: boolean
  from?: string
  user?: string
  password?: string
  algorithm?: DigestAlgorithm
  akaK?: Uint8Array
  akaOp?: Uint8Array
  akaOpc?: Uint8Array
  akaSqn?: bigint
  impi?: string
  header: string[]
}

function network(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('-t, --transport <name>', 'transport to the next hop')
        .choices(['udp', 'tcp', 'tls', 'ws', 'wss'])
        .default('udp'),
    )
    .option('-p, --proxy <uri>', 'outbound proxy: every request goes there first (RFC 3261 §8.1.2)')
    .option('-l, --local <addr>', 'local address to bind, host or host:port (default 0.0.0.0, a free port)')
    .option('--ca <file>', 'CA certificates (PEM) to trust for TLS and WSS')
    .option('-k, --insecure', 'do not check the TLS certificate of the server')
    .option(
      '--timeout <ms>',
      'give up when nothing decided within this many ms (exit 1)',
      positiveInt('--timeout'),
      10_000,
    )
    .option('-v, --verbose', 'print every SIP message sent and received (colours on a terminal)')
    .option('--json', 'print one JSON object per event, on one line each (for scripts and CI)')
    .option(
      '-H, --header <field>',
      "add a header field to every request outside a dialog, 'Name: value' (repeatable)",
      collectHeader,
      [],
    )
}

function collectHeader(text: string, previous: string[]): string[] {
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+\s*:\s*\S/.test(text))
    throw new InvalidArgumentError("must be 'Name: value'")
  return [...previous, text]
}

function auth(cmd: Command): Command {
  return cmd
    .option('-u, --user <name>', 'authentication username (default: the user part of the identity)')
    .option('--password <password>', 'digest password, used when challenged (401/407)')
    .addOption(
      new Option(
        '--algorithm <name>',
        'answer only this digest algorithm (default: the first the server offers)',
      ).choices(['MD5', 'SHA-256', 'SHA-512-256']),
    )
    .option('--aka-k <hex>', 'IMS AKA: the subscriber key K (32 hex digits)', key)
    .option('--aka-op <hex>', 'IMS AKA: the operator key OP (32 hex digits)', key)
    .option('--aka-opc <hex>', 'IMS AKA: OPc instead of OP (32 hex digits)', key)
    .option(
      '--aka-sqn <n>',
      "IMS AKA: the USIM's SQN_MS; the USIM then checks the network's SQN (TS 33.102 Annex C) and answers AUTS when it is out of range (resynchronisation); without it every SQN is accepted",
      sqn,
    )
    .option('--impi <impi>', 'IMS AKA: the private identity (default user@domain of the identity)')
}

function common(flags: Flags, io: CliIo, onEvent: CommonOptions['onEvent']): CommonOptions {
  if (flags.akaK !== undefined && flags.akaOp === undefined && flags.akaOpc === undefined)
    throw new ClientError('JUNCTION_ERR_CLIENT_USAGE', '--aka-k needs --aka-op or --aka-opc')
  if ((flags.akaOp !== undefined || flags.akaOpc !== undefined) && flags.akaK === undefined)
    throw new ClientError('JUNCTION_ERR_CLIENT_USAGE', '--aka-op/--aka-opc need --aka-k')
  return {
    transport: flags.transport,
    proxy: flags.proxy,
    local: flags.local,
    ca: flags.ca,
    insecure: flags.insecure,
    timeout: flags.timeout,
    from: flags.from,
    username: flags.user,
    password: flags.password,
    algorithm: flags.algorithm,
    aka:
      flags.akaK === undefined
        ? undefined
        : { k: flags.akaK, op: flags.akaOp, opc: flags.akaOpc, sqn: flags.akaSqn, impi: flags.impi },
    headers:
      flags.header.length === 0
        ? undefined
        : Object.fromEntries(
            flags.header.map((h) => [h.slice(0, h.indexOf(':')).trim(), h.slice(h.indexOf(':') + 1).trim()]),
          ),
    onEvent,
    signal: io.signal,
  }
}

const examples = `
Examples:
  junction-client options sip:127.0.0.1:5060 --repeat 3
  junction-client register sip:alice@example.com --password secret --proxy sip:127.0.0.1:5060 --expires 600
  junction-client register sip:alice@ims.example.com --aka-k 465b5ce8b199b49faa5f0a2ee238a6bc --aka-opc cd63cb71954a9f4e48a5994e37a02baf --impi alice@ims.example.com --proxy sip:127.0.0.1:4060
  junction-client message sip:alice@example.com sip:bob@example.com 'hello' --password secret --proxy sip:127.0.0.1
  junction-client call --answer --from sip:bob@example.com --register --password secret --proxy sip:127.0.0.1
  junction-client call sip:bob@example.com --from sip:alice@example.com --password secret --proxy sip:127.0.0.1 --duration 5
  junction-client subscribe sip:alice@example.com --event presence --proxy sip:127.0.0.1 --duration 60
  junction-client lint ../shared/reference/torture/*.sip

Exit codes: 0 success, 1 SIP failure (final response >= 300, timeout, broken server), 2 usage or configuration error.
`

/** Runs the command line `argv` (without node and the script); resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let code: number = exitCodes.OK
  let printer: ReturnType<typeof createPrinter> | undefined
  const start = (flags: { json?: boolean; verbose?: boolean }) => {
    printer = createPrinter({
      json: flags.json === true,
      verbose: flags.verbose === true,
      color: io.color === true,
      out: io.stdout,
    })
    return printer
  }
  const finish = (r: RunResult, json: boolean | undefined) => {
    code = r.exitCode
    if (json === true) io.stdout(`${JSON.stringify({ event: 'result', ...r })}\n`)
    else if (!r.ok && r.status === undefined && r.reason !== undefined)
      io.stderr(`junction-client: ${r.reason}\n`)
  }
  const program = new Command('junction-client')
    .description(
      'A SIP test client for IETF SIP and IMS: ping, register (digest, AKA), message, call, answer, subscribe, lint.',
    )
    .version(version, '-V, --version')
    .addHelpText('after', examples)
    .showHelpAfterError('(junction-client --help shows the usage)')
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })

  const configure = (cmd: Command) =>
    cmd.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr }).showHelpAfterError()

  configure(
    auth(network(program.command('options').argument('<uri>', 'the URI to ping, e.g. sip:127.0.0.1:5060'))),
  )
    .description('send OPTIONS (RFC 3261 §11) and print the status and round-trip time of each')
    .option('--from <uri>', 'our identity (From)')
    .option('--repeat <n>', 'send this many, one after the other', positiveInt('--repeat'), 1)
    .option('--interval <ms>', 'pause between two tries', positiveInt('--interval'), 1000)
    .action(async (uri: string, flags: Flags & { repeat: number; interval: number }) => {
      const p = start(flags)
      finish(
        await ping(uri, { ...common(flags, io, p.event), repeat: flags.repeat, interval: flags.interval }),
        flags.json,
      )
    })

  configure(
    auth(
      network(
        program.command('register').argument('<aor>', 'the address of record, e.g. sip:alice@example.com'),
      ),
    ),
  )
    .description(
      'REGISTER (RFC 3261 §10.2) with digest or IMS AKA; --duration keeps the binding refreshed, then removes it',
    )
    .option('--registrar <uri>', "the registrar's URI (default: the AOR's domain)")
    .option('--expires <s>', 'seconds asked for', positiveInt('--expires'), 3600)
    .option('--unregister', 'remove every binding of the AOR (Contact: *, Expires: 0)')
    .option('--instance <urn>', 'RFC 5626 +sip.instance, e.g. urn:uuid:...')
    .option('--reg-id <n>', 'RFC 5626 reg-id (with --instance)', positiveInt('--reg-id'))
    .option(
      '--duration <s>',
      'stay registered this many seconds, refreshing (0: until Ctrl-C), then unregister',
      positiveInt('--duration'),
    )
    .action(
      async (
        aor: string,
        flags: Flags & {
          registrar?: string
          expires: number
          unregister?: boolean
          instance?: string
          regId?: number
          duration?: number
        },
      ) => {
        const p = start(flags)
        finish(
          await register(aor, {
            ...common(flags, io, p.event),
            registrar: flags.registrar,
            expires: flags.expires,
            unregister: flags.unregister,
            instance: flags.instance,
            regId: flags.regId,
            duration: flags.duration,
          }),
          flags.json,
        )
      },
    )

  configure(
    auth(
      network(
        program
          .command('message')
          .argument('<from>', 'our identity, e.g. sip:alice@example.com')
          .argument('<to>', 'the recipient, e.g. sip:bob@example.com')
          .argument('<text>', 'the message'),
      ),
    ),
  )
    .description('send a MESSAGE (RFC 3428), authenticated when challenged')
    .option('--content-type <type>', 'Content-Type of the text', 'text/plain;charset=UTF-8')
    .action(async (from: string, to: string, text: string, flags: Flags & { contentType: string }) => {
      const p = start(flags)
      finish(
        await message(from, to, text, { ...common(flags, io, p.event), contentType: flags.contentType }),
        flags.json,
      )
    })

  configure(
    auth(
      network(
        program.command('call').argument('[to]', 'the callee, e.g. sip:bob@example.com (not with --answer)'),
      ),
    ),
  )
    .description('INVITE with an SDP offer, hold for --duration, BYE; or --answer incoming calls')
    .option('--from <uri>', 'our identity (From; with --answer, the AOR to register and answer as)')
    .option(
      '--duration <s>',
      'hold each call this many seconds before BYE (default: hang up at once; with --answer: until the caller hangs up; 0: until the other side hangs up or Ctrl-C)',
      positiveInt('--duration'),
    )
    .option('--answer', 'wait for incoming calls and answer them with 200 and an SDP answer')
    .option('--register', 'with --answer: register --from first (refreshed), unregister at the end')
    .option('--expires <s>', 'with --register: seconds asked for', positiveInt('--expires'), 3600)
    .option(
      '--count <n>',
      'with --answer: calls to answer before exiting (0: until Ctrl-C)',
      positiveInt('--count'),
      1,
    )
    .action(
      async (
        to: string | undefined,
        flags: Flags & {
          duration?: number
          answer?: boolean
          register?: boolean
          expires: number
          count: number
        },
      ) => {
        if (flags.answer === true) {
          if (flags.from === undefined)
            throw new ClientError('JUNCTION_ERR_CLIENT_USAGE', 'call --answer needs --from <uri>')
          const p = start(flags)
          finish(
            await answer(flags.from, {
              ...common(flags, io, p.event),
              register: flags.register,
              expires: flags.expires,
              count: flags.count,
              duration: flags.duration,
            }),
            flags.json,
          )
          return
        }
        if (to === undefined)
          throw new ClientError('JUNCTION_ERR_CLIENT_USAGE', 'call needs <to> (or --answer)')
        const p = start(flags)
        finish(await call(to, { ...common(flags, io, p.event), duration: flags.duration }), flags.json)
      },
    )

  configure(
    auth(network(program.command('subscribe').argument('<uri>', 'the resource, e.g. sip:alice@example.com'))),
  )
    .description(
      'SUBSCRIBE (RFC 6665) and print each NOTIFY; unsubscribe after the first, or after --duration',
    )
    .option('--from <uri>', 'our identity (From)')
    .option('--event <package>', 'event package: presence, reg, dialog, ...', 'presence')
    .option('--accept <type>', "Accept (default: the package's body type)")
    .option('--expires <s>', 'seconds asked for', positiveInt('--expires'), 3600)
    .option(
      '--duration <s>',
      'stay subscribed this many seconds, refreshing (0: until Ctrl-C); default: until the first NOTIFY',
      positiveInt('--duration'),
    )
    .action(
      async (
        uri: string,
        flags: Flags & { event: string; accept?: string; expires: number; duration?: number },
      ) => {
        const p = start(flags)
        finish(
          await subscribe(uri, {
            ...common(flags, io, p.event),
            event: flags.event,
            accept: flags.accept,
            expires: flags.expires,
            duration: flags.duration,
          }),
          flags.json,
        )
      },
    )

  configure(
    program.command('lint').argument('<file...>', 'files holding one SIP message each, read as octets'),
  )
    .description(
      'parse each file with @junction/sip and print the verdict: valid, or what a server answers and why',
    )
    .addOption(
      new Option('--role <role>', 'check as a proxy (Proxy-Require) or a UAS (Require)')
        .choices(['proxy', 'uas'])
        .default('proxy'),
    )
    .option('--json', 'print one JSON object per file')
    .action(async (files: string[], flags: { role: 'proxy' | 'uas'; json?: boolean }) => {
      const p = start(flags)
      const r = await lint(files, { role: flags.role, onEvent: p.event })
      finish({ ok: r.ok, exitCode: r.exitCode }, flags.json)
    })

  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? exitCodes.OK : exitCodes.USAGE
    if (e instanceof ClientError) {
      if (printer !== undefined && argv.includes('--json'))
        io.stdout(`${JSON.stringify({ event: 'error', code: e.code, reason: e.message })}\n`)
      io.stderr(`junction-client: ${e.message} (${e.code})\n`)
      return exitCodes.USAGE
    }
    throw e
  } finally {
    printer?.close()
  }
  return code
}
