/**
 * The junction-hss process: command line, subscriber file, state file, JSON logs, the Diameter
 * server, graceful stop on SIGTERM/SIGINT (DPR to the peers). Exit codes: 0 after a clean stop or
 * a valid --check-config, 1 when the state file or the listener fails, 2 for a usage or
 * configuration error.
 */
import { readFileSync } from 'node:fs'
import { createLogger, onShutdown } from '@junction/ops'
import { Command, CommanderError, Option } from 'commander'
import { exampleConfigPath, loadConfig, parseConfig, randModes } from './config.ts'
import { HssError, hssFaultCodes } from './errors.ts'
import { createHssServer } from './server.ts'
import { openStateStore } from './state.ts'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  version: string
}

interface Flags {
  config?: string
  listen?: string
  originHost?: string
  realm?: string
  stateFile?: string
  rand?: string
  fixedRand?: string
  logLevel?: string
  checkConfig?: boolean
}

function program(): Command {
  return new Command('junction-hss')
    .description(
      'A small HSS for development and tests: a Diameter Cx server (TS 29.228/29.229) answering UAR, MAR ' +
        '(Milenage AKA vectors, resync), SAR and LIR. With no arguments it listens on 127.0.0.1:3868 with ' +
        'the example subscriber file shipped with it (TS 35.207 test set 2).',
    )
    .version(pkg.version, '-V, --version')
    .option('-c, --config <file>', 'subscriber file (YAML); default: the shipped example')
    .option('-l, --listen <host:port>', 'TCP address to listen on (default 127.0.0.1:3868)')
    .option('--origin-host <name>', 'Origin-Host (default hss.ims.test)')
    .option('--realm <name>', 'Origin-Realm (default ims.test)')
    .option('--state-file <file>', 'SQN and registration state (default ./junction-hss.state.json)')
    .addOption(new Option('--rand <mode>', 'RAND of the vectors').choices([...randModes]))
    .option('--fixed-rand <hex>', 'RAND for --rand fixed (16 octets in hex)')
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
    .option('--check-config', 'validate the configuration, print it with its defaults as JSON, and exit')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  junction-hss                                   example subscriber, 127.0.0.1:3868\n' +
        '  junction-hss -c subscribers.yaml -l 127.0.0.1:23868 --origin-host localhost\n' +
        '  junction-hss --rand no-zero-res                RES without 0x00 octets (SIPp 3.6)\n' +
        '  junction-hss -c subscribers.yaml --check-config\n' +
        '\nDocumentation: tools/hss/README.md',
    )
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
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
  const loaded = await loadConfig(flags.config ?? exampleConfigPath)
  const fail = (problems: readonly string[]) => {
    process.stderr.write(`junction-hss: invalid configuration (${hssFaultCodes.CONFIG}):\n`)
    for (const p of problems) process.stderr.write(`  ${p}\n`)
    return 2
  }
  if (!loaded.ok) return fail(loaded.problems)
  const raw = structuredClone(loaded.config)
  if (flags.listen !== undefined) raw.hss.listen = flags.listen
  if (flags.originHost !== undefined) raw.hss.originHost = flags.originHost
  if (flags.realm !== undefined) raw.hss.realm = flags.realm
  if (flags.stateFile !== undefined) raw.hss.stateFile = flags.stateFile
  if (flags.rand !== undefined) raw.hss.vectors.rand = flags.rand as (typeof randModes)[number]
  if (flags.fixedRand !== undefined) raw.hss.vectors.fixedRand = flags.fixedRand
  if (flags.logLevel !== undefined) raw.hss.log.level = flags.logLevel as typeof raw.hss.log.level
  const result = parseConfig(raw)
  if (!result.ok) return fail(result.problems)
  const config = result.config
  if (flags.checkConfig === true) {
    process.stdout.write(`${JSON.stringify(config, null, 2)}\n`)
    return 0
  }

  const log = createLogger({ name: 'junction-hss', level: config.hss.log.level })
  let server: ReturnType<typeof createHssServer>
  try {
    const store = await openStateStore(config.hss.stateFile)
    server = createHssServer(config, { store, log })
    await server.start()
  } catch (error) {
    const code = error instanceof HssError ? error.code : hssFaultCodes.START
    const reason = (error as Error).message
    log.fatal({ err: error, code }, `cannot start: ${reason}`)
    process.stderr.write(`junction-hss: cannot start: ${reason} (${code})\n`)
    return 1
  }
  const a = server.address
  log.info(
    {
      version: pkg.version,
      listen:
        a === undefined ? config.hss.listen : `${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}`,
      originHost: config.hss.originHost,
      realm: config.hss.realm,
      subscribers: config.subscribers.length,
      stateFile: config.hss.stateFile,
      rand: config.hss.vectors.rand,
    },
    'junction-hss started',
  )
  await new Promise<void>((resolve) => {
    onShutdown({
      log,
      stop: async (signal) => {
        log.info({ signal }, 'stopping: DPR to the peers')
        await server.stop()
        resolve()
      },
    })
  })
  return 0
}

process.exitCode = await main(process.argv.slice(2))
