/**
 * A signalling-only SDP offer and answer (RFC 4566, RFC 3264): one audio stream on the discard port
 * 9 marked `inactive`, so that a test call exercises the offer/answer exchange without media.
 */

export interface SdpOptions {
  /** The address in `o=` and `c=` (default 127.0.0.1). */
  readonly address?: string | undefined
  /** Session id and version (default: seconds since 1900, as RFC 4566 §5.2 suggests NTP time). */
  readonly sessionId?: number | undefined
}

function addrType(address: string): string {
  return address.includes(':') ? 'IP6' : 'IP4'
}

function lines(address: string, id: number, formats: readonly string[]): string {
  const t = addrType(address)
  return [
    'v=0',
    `o=junction-client ${id} ${id} IN ${t} ${address}`,
    's=-',
    `c=IN ${t} ${address}`,
    't=0 0',
    `m=audio 9 RTP/AVP ${formats.join(' ')}`,
    'a=inactive',
    '',
  ].join('\r\n')
}

const ntpNow = () => Math.floor(Date.now() / 1000) + 2_208_988_800

/** The offer: PCMU (0) and PCMA (8), inactive. */
export function createOffer(options: SdpOptions = {}): string {
  return lines(options.address ?? '127.0.0.1', options.sessionId ?? ntpNow(), ['0', '8'])
}

/**
 * The answer to `offer` (RFC 3264 §6): the first audio m-line's formats we know (0, 8), port 9,
 * inactive; the stream rejected (port 0) when none is common, or undefined when the offer has no
 * audio m-line at all.
 */
export function createAnswer(offer: string, options: SdpOptions = {}): string | undefined {
  const m = /^m=audio \d+(?:\/\d+)? (\S+)((?: \S+)*)\s*$/m.exec(offer)
  if (m === null) return undefined
  const offered = (m[2] ?? '')
    .trim()
    .split(/\s+/)
    .filter((f) => f !== '')
  const common = offered.filter((f) => f === '0' || f === '8')
  const text = lines(
    options.address ?? '127.0.0.1',
    options.sessionId ?? ntpNow(),
    common.length > 0 ? common : offered.slice(0, 1),
  )
  return common.length > 0 ? text : text.replace('m=audio 9 ', 'm=audio 0 ')
}
