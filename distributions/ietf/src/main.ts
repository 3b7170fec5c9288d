/**
 * The junction-ietf process: command line, configuration, logger, start in order, graceful stop
 * on SIGTERM/SIGINT. Exit codes: 0 after a clean stop or a valid --check-config, 1 when a service
 * cannot start, 2 for a usage or configuration error.
 */
import { readFileSync } from 'node:fs'
import { createLogger, onShutdown, redact } from '@junction/ops'
import { Command, CommanderError, Option } from 'commander'
import { composeIetf, type Service } from './compose.ts'
import { type ConfigResult, loadConfig, parseConfig } from './config.ts'
import { faultCodes } from './errors.ts'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
}

interface Flags {
  config?: string | undefined
  listen?: string[] | undefined
  domain?: string[] | undefined
  logLevel?: string | undefined
  admin?: string | boolean | undefined
  checkConfig?: boolean | undefined
  /** From the environment only (JUNCTION_DIALOG_SECRET). */
  dialogSecret?: string | undefined
  /** From the environment only (JUNCTION_ADMIN_TOKEN). */
  adminToken?: string | undefined
}

function program(): Command {
  return new Command('junction-ietf')
    .description(
      'The IETF SIP proxy of Junction (RFC 3261). With no configuration it listens on UDP and TCP ' +
        '127.0.0.1:5060, serves the domain "localhost" and relays nowhere else.',
    )
    .version(pkg.version, '-V, --version')
    .option('-c, --config <file>', 'configuration file (YAML or JSON); default: the embedded defaults')
    .option(
      '-l, --listen <spec...>',
      'listeners, replacing the configured ones: udp:0.0.0.0:5060 tcp:[::]:5060 ...',
    )
    .option('-d, --domain <name...>', 'domains this server is responsible for, replacing the configured ones')
    .addOption(
      new Option('--log-level <level>', 'log level').choices([
        'fatal',
        'error',
        'warn',
        'info',
        'debug',
        'trace',
        'silent',
      ]),
    )
    .option(
      '--admin <host:port>',
      'address of the admin HTTP server (/metrics, /health, /ready, /rpc); off: none',
    )
    .option('--no-admin', 'no admin HTTP server')
    .option('--check-config', 'validate the configuration, print it with its defaults as JSON, and exit')
    .addHelpText(
      'after',
      '\nEnvironment (the command line wins): JUNCTION_CONFIG, JUNCTION_LISTEN, JUNCTION_DOMAINS,\n' +
        'JUNCTION_LOG_LEVEL, JUNCTION_ADMIN (host:port or off), JUNCTION_DIALOG_SECRET,\n' +
        'JUNCTION_ADMIN_TOKEN (the bearer token /rpc requires).\n' +
        '\nExamples:\n' +
        '  junction-ietf                                  embedded defaults\n' +
        '  junction-ietf -c /etc/junction/ietf.yaml       from a file\n' +
        '  junction-ietf -c ietf.yaml --check-config      validate, print, exit\n' +
        '  junction-ietf -c ietf.yaml -l udp:0.0.0.0:5060 -d example.com --admin 127.0.0.1:9090\n' +
        '                                                 (ietf.yaml names the users: auth.usersFile)\n' +
        '\nDocumentation: distributions/ietf/README.md',
    )
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
}

/**
 * Environment overrides for the common keys (a container sets these instead of mounting a file):
 * JUNCTION_CONFIG, JUNCTION_LISTEN and JUNCTION_DOMAINS (lists separated by spaces or commas),
 * JUNCTION_LOG_LEVEL, JUNCTION_ADMIN (host:port, or "off"). The command line wins over them.
 * JUNCTION_DIALOG_SECRET sets routing.dialog.secret and JUNCTION_ADMIN_TOKEN admin.token (a secret is
 * better kept out of a file).
 */
function fromEnv(flags: Flags, env: NodeJS.ProcessEnv): Flags {
  const list = (v: string | undefined) => v?.split(/[\s,]+/).filter((x) => x !== '')
  const admin = env['JUNCTION_ADMIN']
  return {
    config: flags.config ?? env['JUNCTION_CONFIG'],
    listen: flags.listen ?? list(env['JUNCTION_LISTEN']),
    domain: flags.domain ?? list(env['JUNCTION_DOMAINS']),
    logLevel: flags.logLevel ?? env['JUNCTION_LOG_LEVEL'],
    admin: flags.admin ?? (admin === undefined ? undefined : admin === 'off' ? false : admin),
    checkConfig: flags.checkConfig,
    dialogSecret: env['JUNCTION_DIALOG_SECRET'],
    adminToken: env['JUNCTION_ADMIN_TOKEN'],
  }
}

/** Applies the environment and command-line overrides to the file's configuration, then validates the whole. */
async function resolveConfig(cli: Flags, env: NodeJS.ProcessEnv): Promise<ConfigResult> {
  const flags = fromEnv(cli, env)
  const base = await loadConfig(flags.config)
  if (!base.ok) return base
  const raw = structuredClone(base.config)
  if (flags.listen !== undefined) raw.sip.listen = flags.listen
  if (flags.domain !== undefined) raw.sip.domains = flags.domain
  if (flags.logLevel !== undefined) raw.log.level = flags.logLevel as typeof raw.log.level
  if (flags.dialogSecret !== undefined) raw.routing.dialog.secret = flags.dialogSecret
  if (flags.adminToken !== undefined) raw.admin.token = flags.adminToken
  if (flags.admin === false || flags.admin === 'off') raw.admin.enabled = false
  else if (typeof flags.admin === 'string') {
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(flags.admin)
    if (m === null) return { ok: false, problems: [`--admin: expected host:port, got ${flags.admin}`] }
    raw.admin.host = m[1]!.startsWith('[') ? m[1]!.slice(1, -1) : m[1]!
    raw.admin.port = Number(m[2])
  }
  return parseConfig(raw)
}

async function main(argv: readonly string[]): Promise<number> {
  const cli = program()
  try {
    cli.parse(argv, { from: 'user' })
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2
    throw error
  }
  const flags = cli.opts<Flags>()
  const result = await resolveConfig(flags, process.env)
  if (!result.ok) {
    process.stderr.write(`junction-ietf: invalid configuration (${faultCodes.CONFIG}):\n`)
    for (const p of result.problems) process.stderr.write(`  ${p}\n`)
    return 2
  }
  const config = result.config
  if (flags.checkConfig === true) {
    // passwords and secrets stay out of what may end up in a CI log
    process.stdout.write(`${JSON.stringify(redact(config), null, 2)}\n`)
    return 0
  }

  const log = createLogger({ name: 'junction-ietf', level: config.log.level, pretty: config.log.pretty })
  const ietf = composeIetf(config, { log })
  const started: Service[] = []
  const stopAll = async () => {
    for (const s of started.reverse()) {
      try {
        await s.stop?.()
      } catch (error) {
        log.warn({ err: error, service: s.name }, 'service did not stop cleanly')
      }
    }
    started.length = 0
  }
  for (const s of ietf.services) {
    try {
      await s.start?.()
      started.push(s)
    } catch (error) {
      const reason = (error as Error).message
      log.fatal({ err: error, code: faultCodes.START, service: s.name }, `cannot start ${s.name}: ${reason}`)
      process.stderr.write(`junction-ietf: cannot start ${s.name}: ${reason} (${faultCodes.START})\n`)
      await stopAll()
      return 1
    }
  }
  log.info(
    {
      version: pkg.version,
      listen: ietf.sip.transport.listeners.map((l) => `${l.transport}:${l.host}:${l.port}`),
      domains: config.sip.domains,
      admin: ietf.adminAddress(),
    },
    'junction-ietf started',
  )
  const adminAt = ietf.adminAddress()
  if (adminAt !== undefined && !isLoopback(adminAt.host) && config.admin.token === undefined) {
    // /rpc without admin.token (log.level.set, registrar.lookup): keep it on a trusted network
    log.warn(
      { admin: adminAt },
      'the admin server (/rpc without admin.token) listens beyond loopback: set admin.token (JUNCTION_ADMIN_TOKEN)',
    )
  }
  const stopped = new Promise<void>((resolve) => {
    onShutdown({
      log,
      graceMs: config.shutdown.graceMs,
      stop: async (signal) => {
        log.info({ signal }, 'stopping')
        await stopAll()
        resolve()
      },
    })
  })
  await stopped
  return 0
}

process.exitCode = await main(process.argv.slice(2))

/** 127.0.0.0/8, ::1 and localhost: the admin server is reachable from this machine only. */
function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.')
}
