/**
 * What the CLI prints: each event as one JSON object per line (`--json`), or as a line for people;
 * with `--verbose`, every message sent and received (the transport's diagnostics channels), in
 * colour on a terminal.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel'
import { type SipMessage, serialize } from '@junction/sip'
import { type Flow, messageIn, messageOut } from '@junction/transport'
import type { ClientEvent } from './agent.ts'

export interface PrinterOptions {
  readonly json: boolean
  readonly verbose: boolean
  readonly color: boolean
  readonly out: (text: string) => void
}

export interface Printer {
  event(e: ClientEvent): void
  /** Stops the wire trace. */
  close(): void
}

const paint = (on: boolean, code: number, s: string) => (on ? `\u001b[${code}m${s}\u001b[0m` : s)

function human(e: ClientEvent): string {
  const { event, ...rest } = e
  switch (event) {
    case 'response': {
      const extra = Object.entries(rest)
        .filter(([k]) => !['method', 'status', 'reason'].includes(k))
        .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
      return `${rest['method']} → ${rest['status']} ${rest['reason']}${extra.length > 0 ? `  (${extra.join(', ')})` : ''}`
    }
    case 'lint':
      return rest['valid'] === true
        ? `${rest['file']}: valid ${rest['kind']}${rest['method'] === undefined ? '' : ` ${rest['method']}`}`
        : `${rest['file']}: invalid — ${rest['status'] === undefined ? 'drop' : `answer ${rest['status']}`}: ${rest['reason']}${rest['code'] === undefined ? '' : ` (${rest['code']})`}`
    default:
      return `${event}: ${Object.entries(rest)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${typeof v === 'string' && !v.includes('\n') ? v : JSON.stringify(v)}`)
        .join(' ')}`
  }
}

const decoder = new TextDecoder()

export function createPrinter(options: PrinterOptions): Printer {
  const { out, json, color } = options
  const wire = (direction: 'in' | 'out') => (m: unknown) => {
    const { flow, message } = m as { flow: Flow; message: SipMessage }
    const peer = `${flow.transport} ${flow.remote.address}:${flow.remote.port}`
    const text = decoder.decode(serialize(message))
    if (json) out(`${JSON.stringify({ event: 'wire', direction, peer, message: text })}\n`)
    else {
      const head =
        direction === 'out' ? paint(color, 36, `>>> to ${peer}`) : paint(color, 33, `<<< from ${peer}`)
      out(`${head}\n${paint(color, 2, text.replace(/\r\n/g, '\n'))}\n`)
    }
  }
  const onOut = wire('out')
  const onIn = wire('in')
  if (options.verbose) {
    subscribe(messageOut.name as string, onOut)
    subscribe(messageIn.name as string, onIn)
  }
  return {
    event(e) {
      if (json) out(`${JSON.stringify(e)}\n`)
      else {
        const line = human(e)
        const failed =
          e.event === 'error' ||
          (e.event === 'response' && Number(e['status']) >= 300) ||
          (e.event === 'lint' && e['valid'] === false)
        out(`${failed ? paint(color, 31, line) : line}\n`)
      }
    },
    close() {
      if (options.verbose) {
        unsubscribe(messageOut.name as string, onOut)
        unsubscribe(messageIn.name as string, onIn)
      }
    },
  }
}
