/**
 * Browser SIP stacks in Node for end-to-end tests: JsSIP and SIP.js over WebSocket (Node's global
 * WebSocket), with signalling-only media (there is no WebRTC in Node):
 *
 * - JsSIP: a minimal `RTCPeerConnection` stand-in on `globalThis` (and `window`, which JsSIP reads)
 *   that produces and accepts a plain SDP, no ICE, gathering already complete;
 * - SIP.js: a custom SessionDescriptionHandlerFactory doing the same.
 *
 * Every WebSocket frame each client sends and receives is recorded (`trace`): the WebSocket URL's
 * path names the client (`ws://127.0.0.1:port/alice`; junction-ietf upgrades on any path), so the
 * tests can assert what each side saw on the wire and print the trace when something fails.
 */
import { UA, WebSocketInterface } from 'jssip'
import type { RTCSession } from 'jssip/lib/RTCSession.js'
import {
  type Invitation,
  Inviter,
  Registerer,
  RegistererState,
  type Session,
  type SessionDescriptionHandler,
  type SessionDescriptionHandlerFactory,
  SessionState,
  UserAgent,
} from 'sip.js'

/** One frame on a client's WebSocket: `>` sent, `<` received; `!` a warning the client logged. */
export interface Frame {
  readonly client: string
  readonly dir: '>' | '<' | '!'
  readonly text: string
}

/** Every frame of every client, in order (a client is the WebSocket URL's path without its slash). */
const frames: Frame[] = []

export function trace(client: string): Frame[] {
  return frames.filter((f) => f.client === client)
}

/**
 * The first line and the headers that matter of the last `last` frames (of `client` and the clients
 * under it, `default` for `default/alice`; or of all), for failure messages.
 */
export function dump(client?: string, last = 40): string {
  const chosen = frames.filter(
    (f) => client === undefined || f.client === client || f.client.startsWith(`${client}/`),
  )
  const skipped = Math.max(0, chosen.length - last)
  const head = skipped > 0 ? `(${skipped} earlier frames left out)\n` : ''
  return `${head}${chosen
    .slice(skipped)
    .map((f) => {
      const lines = f.text.split('\r\n')
      const keep = lines.filter((l) =>
        /^(Via|Route|Record-Route|Contact|CSeq|To|From|WWW-Authenticate|Proxy-Authenticate|Reason|Warning)\s*:/i.test(
          l,
        ),
      )
      return `${f.client} ${f.dir} ${lines[0]}\n${keep.map((l) => `      ${l}`).join('\n')}`
    })
    .join('\n')}`
}

/** The received requests (`<`, method) and responses (`<`, status + CSeq method) of a client. */
export function received(client: string): string[] {
  return trace(client)
    .filter((f) => f.dir === '<')
    .map((f) => {
      const first = f.text.slice(0, f.text.indexOf('\r\n'))
      if (first.startsWith('SIP/2.0 ')) {
        const cseq = /\r\nCSeq:\s*\d+\s+(\w+)/i.exec(f.text)?.[1] ?? '?'
        return `${first.split(' ')[1]} ${cseq}`
      }
      return first.split(' ')[0]!
    })
}

/** Resolves when `client` received `entry` (as `received` writes it: `ACK`, `200 BYE`), else rejects with its trace. */
export async function sees(client: string, entry: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!received(client).includes(entry)) {
    if (Date.now() > deadline) throw new Error(`${client} never received ${entry}\n${dump()}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

function frameText(data: unknown): string {
  if (typeof data === 'string') return data
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString()
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString()
  return String(data)
}

const NativeWebSocket = globalThis.WebSocket

/** Node's WebSocket, recording every frame under the URL's path. */
class TracedWebSocket extends NativeWebSocket {
  readonly #client: string
  constructor(url: string | URL, protocols?: string | string[]) {
    super(url, protocols)
    this.#client = new URL(String(url)).pathname.slice(1) || 'ws'
    this.addEventListener('message', (e) => {
      frames.push({ client: this.#client, dir: '<', text: frameText(e.data) })
    })
  }
  override send(data: string | ArrayBufferLike | Blob | ArrayBufferView): void {
    frames.push({ client: this.#client, dir: '>', text: frameText(data) })
    super.send(data)
  }
}

let localPort = 40000

/** A plain SDP (RFC 4566) with one audio stream, no ICE: what the stand-ins offer and answer. */
export function plainSdp(type: 'offer' | 'answer'): string {
  const id = Date.now()
  localPort += 2
  return [
    'v=0',
    `o=- ${id} 1 IN IP4 127.0.0.1`,
    `s=junction-${type}`,
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=audio ${localPort} RTP/AVP 0 8`,
    'a=rtpmap:0 PCMU/8000',
    'a=rtpmap:8 PCMA/8000',
    'a=sendrecv',
    '',
  ].join('\r\n')
}

interface Description {
  readonly type: string
  readonly sdp: string
}

/** The part of RTCPeerConnection JsSIP uses, signalling only: SDP in and out, ICE complete at once. */
class FakePeerConnection extends EventTarget {
  iceGatheringState = 'complete'
  iceConnectionState = 'new'
  connectionState = 'new'
  signalingState = 'stable'
  localDescription: Description | null = null
  remoteDescription: Description | null = null
  async createOffer(): Promise<Description> {
    return { type: 'offer', sdp: plainSdp('offer') }
  }
  async createAnswer(): Promise<Description> {
    if (this.remoteDescription === null) throw new Error('createAnswer without a remote offer')
    return { type: 'answer', sdp: plainSdp('answer') }
  }
  async setLocalDescription(d: Description): Promise<void> {
    this.localDescription = d
    this.signalingState = d.type === 'offer' ? 'have-local-offer' : 'stable'
  }
  async setRemoteDescription(d: Description): Promise<void> {
    if (!/^v=0/.test(d.sdp)) throw new Error(`not an SDP: ${d.sdp.slice(0, 40)}`)
    this.remoteDescription = d
    this.signalingState = d.type === 'offer' ? 'have-remote-offer' : 'stable'
  }
  getSenders(): unknown[] {
    return []
  }
  getReceivers(): unknown[] {
    return []
  }
  addTrack(): void {}
  close(): void {
    this.signalingState = 'closed'
  }
}

class FakeSessionDescription {
  readonly type: string
  readonly sdp: string
  constructor(init: Description) {
    this.type = init.type
    this.sdp = init.sdp
  }
}

const installed: Array<[string, PropertyDescriptor | undefined]> = []

/** Puts the traced WebSocket and the RTCPeerConnection stand-in on globalThis (undone by `uninstallGlobals`). */
export function installGlobals(): void {
  const g = globalThis as Record<string, unknown>
  const set = (name: string, value: unknown) => {
    installed.push([name, Object.getOwnPropertyDescriptor(g, name)])
    Object.defineProperty(g, name, { value, configurable: true, writable: true })
  }
  set('WebSocket', TracedWebSocket)
  set('RTCPeerConnection', FakePeerConnection)
  set('RTCSessionDescription', FakeSessionDescription)
  if (g['window'] === undefined) set('window', globalThis)
}

export function uninstallGlobals(): void {
  const g = globalThis as Record<string, unknown>
  for (const [name, desc] of installed.splice(0).reverse()) {
    if (desc === undefined) delete g[name]
    else Object.defineProperty(g, name, desc)
  }
}

/** Resolves when `register` calls back, rejects after `ms` with `what` and the client's trace. */
export function within<T>(
  ms: number,
  what: string,
  register: (resolve: (v: T) => void, reject: (e: Error) => void) => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms} ms\n${dump()}`)), ms)
    register(
      (v) => {
        clearTimeout(timer)
        resolve(v)
      },
      (e) => {
        clearTimeout(timer)
        reject(new Error(`${what}: ${e.message}\n${dump()}`))
      },
    )
  })
}

const WAIT = 15_000

/** `promise`, or a rejection with `what` and every client's trace after `ms`. */
export function bounded<T>(promise: Promise<T>, what: string, ms = WAIT): Promise<T> {
  return within(ms, what, (resolve, reject) => {
    promise.then(resolve, reject)
  })
}

// ---------------------------------------------------------------- JsSIP

/** An answered JsSIP session and what its dialog saw. */
export interface JsSipCall {
  readonly session: RTCSession
  readonly acked: Promise<void>
  readonly byeReceived: Promise<void>
}

/** A JsSIP user agent over WS, no media. */
export class JsSipUser {
  readonly name: string
  readonly ua: UA
  /** Sessions this UA received (INVITEs), in order. */
  readonly incoming: RTCSession[] = []
  readonly #waiters: Array<(s: RTCSession) => void> = []

  constructor(name: string, password: string, wsUrl: string, domain: string) {
    this.name = name
    const socket = new WebSocketInterface(`${wsUrl}/${name}`)
    this.ua = new UA({
      sockets: [socket],
      uri: `sip:${name}@${domain}`,
      password,
      register: false,
      session_timers: false,
      connection_recovery_min_interval: 30,
      connection_recovery_max_interval: 60,
      user_agent: 'JsSIP (junction e2e)',
    })
    this.ua.on('newRTCSession', (e: { originator: string; session: RTCSession }) => {
      if (e.originator !== 'remote') return
      this.incoming.push(e.session)
      for (const w of this.#waiters.splice(0)) w(e.session)
    })
  }

  /** Starts the UA and REGISTERs (answering the 401 with digest). */
  register(): Promise<void> {
    return within(WAIT, `JsSIP ${this.name} REGISTER`, (resolve, reject) => {
      this.ua.once('registered', () => resolve())
      this.ua.once('registrationFailed', (e: { cause?: string }) =>
        reject(new Error(`registrationFailed: ${e.cause}`)),
      )
      this.ua.once('connected', () => this.ua.register())
      this.ua.once('disconnected', (e: { code?: number; reason?: string }) =>
        reject(new Error(`WebSocket disconnected: ${e.code} ${e.reason}`)),
      )
      this.ua.start()
    })
  }

  /** Calls `target`; resolves when the call is confirmed (200 received and ACK sent). */
  call(target: string): Promise<RTCSession> {
    return within(WAIT, `JsSIP ${this.name} INVITE ${target}`, (resolve, reject) => {
      const session = this.ua.call(target, {
        mediaConstraints: { audio: false, video: false },
        pcConfig: { iceServers: [] },
        eventHandlers: {
          confirmed: () => resolve(session),
          failed: (e) => {
            const status = (e.message as { status_code?: number } | undefined)?.status_code ?? ''
            reject(new Error(`call failed: ${e.cause} ${status}`))
          },
        },
      })
    })
  }

  /** The next incoming INVITE (or one already received and not yet taken). */
  nextIncoming(): Promise<RTCSession> {
    return within(WAIT, `JsSIP ${this.name} waiting for an INVITE`, (resolve) => {
      const s = this.incoming.shift()
      if (s !== undefined) resolve(s)
      else
        this.#waiters.push((s2) => {
          this.incoming.splice(this.incoming.indexOf(s2), 1)
          resolve(s2)
        })
    })
  }

  /** Answers `session` with 200 and the plain SDP; `acked` resolves on the ACK, `byeReceived` on a BYE. */
  answer(session: RTCSession): JsSipCall {
    const acked = new Promise<void>((resolve) => session.on('confirmed', () => resolve()))
    const byeReceived = new Promise<void>((resolve) =>
      session.on('ended', (e: { originator: string }) => {
        if (e.originator === 'remote') resolve()
      }),
    )
    session.answer({ mediaConstraints: { audio: false, video: false }, pcConfig: { iceServers: [] } })
    return { session, acked, byeReceived }
  }

  /** Hangs up (BYE; JsSIP ends the session at once, without waiting for the 200). */
  hangUp(session: RTCSession): void {
    if (!session.isEnded()) session.terminate()
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, 3000)
      this.ua.once('disconnected', () => {
        clearTimeout(timer)
        resolve()
      })
      this.ua.stop()
    })
  }
}

// ---------------------------------------------------------------- SIP.js

/** SIP.js's media side, signalling only: the plain SDP out, any SDP in. */
export const plainSdhFactory: SessionDescriptionHandlerFactory = (): SessionDescriptionHandler => {
  let remote: string | undefined
  return {
    async getDescription() {
      return { body: plainSdp(remote === undefined ? 'offer' : 'answer'), contentType: 'application/sdp' }
    },
    hasDescription(contentType: string) {
      return contentType === 'application/sdp'
    },
    async setDescription(sdp: string) {
      if (!/^v=0/.test(sdp)) throw new Error(`not an SDP: ${sdp.slice(0, 40)}`)
      remote = sdp
    },
    sendDtmf() {
      return false
    },
    close() {},
  }
}

/** What a SIP.js session saw, by the delegate hooks of its dialog. */
export interface SipJsCall {
  readonly session: Session
  readonly acked: Promise<void>
  readonly byeReceived: Promise<void>
}

/** A SIP.js user agent over WS, no media. */
export class SipJsUser {
  readonly name: string
  readonly ua: UserAgent
  readonly registerer: Registerer
  readonly incoming: Invitation[] = []
  readonly #waiters: Array<(i: Invitation) => void> = []

  constructor(name: string, password: string, wsUrl: string, domain: string) {
    this.name = name
    const uri = UserAgent.makeURI(`sip:${name}@${domain}`)
    if (uri === undefined) throw new Error(`bad user ${name}@${domain}`)
    this.ua = new UserAgent({
      uri,
      authorizationUsername: name,
      authorizationPassword: password,
      transportOptions: { server: `${wsUrl}/${name}` },
      sessionDescriptionHandlerFactory: plainSdhFactory,
      logLevel: 'warn',
      // its warnings go into the trace, not onto the test's output
      logBuiltinEnabled: false,
      logConnector: (level, category, _label, content) => {
        if (level === 'error' || level === 'warn')
          frames.push({ client: name, dir: '!', text: `${category}: ${content}` })
      },
      userAgentString: 'SIP.js (junction e2e)',
      delegate: {
        onInvite: (invitation) => {
          this.incoming.push(invitation)
          for (const w of this.#waiters.splice(0)) w(invitation)
        },
      },
    })
    this.registerer = new Registerer(this.ua)
  }

  /** Connects and REGISTERs (answering the 401 with digest). */
  register(): Promise<void> {
    return within(WAIT, `SIP.js ${this.name} REGISTER`, (resolve, reject) => {
      this.registerer.stateChange.addListener((state) => {
        if (state === RegistererState.Registered) resolve()
        if (state === RegistererState.Terminated) reject(new Error('registerer terminated'))
      })
      this.ua
        .start()
        .then(() =>
          this.registerer.register({
            requestDelegate: {
              onReject: (r) => reject(new Error(`REGISTER rejected: ${r.message.statusCode}`)),
            },
          }),
        )
        .catch(reject)
    })
  }

  /** Hooks a session's ACK and BYE (delegate), so a test can wait for them. */
  #watch(session: Session): SipJsCall {
    let ack!: () => void
    let bye!: () => void
    const acked = new Promise<void>((r) => {
      ack = r
    })
    const byeReceived = new Promise<void>((r) => {
      bye = r
    })
    session.delegate = {
      onAck: () => ack(),
      // with an onBye delegate, SIP.js leaves the 200 to it (RFC 3261 §15.1.2)
      onBye: (b) => {
        b.accept().then(bye, bye)
      },
    }
    return { session, acked, byeReceived }
  }

  /** Calls `target`; resolves when established (200 received; SIP.js sends the ACK). */
  call(target: string): Promise<SipJsCall> {
    const uri = UserAgent.makeURI(target)
    if (uri === undefined) throw new Error(`bad target ${target}`)
    const inviter = new Inviter(this.ua, uri)
    const call = this.#watch(inviter)
    return within(WAIT, `SIP.js ${this.name} INVITE ${target}`, (resolve, reject) => {
      inviter.stateChange.addListener((state) => {
        if (state === SessionState.Established) resolve(call)
        if (state === SessionState.Terminated) reject(new Error('session terminated before 200'))
      })
      inviter
        .invite({
          requestDelegate: {
            onReject: (r) => reject(new Error(`INVITE rejected: ${r.message.statusCode}`)),
          },
        })
        .catch(reject)
    })
  }

  nextIncoming(): Promise<Invitation> {
    return within(WAIT, `SIP.js ${this.name} waiting for an INVITE`, (resolve) => {
      const i = this.incoming.shift()
      if (i !== undefined) resolve(i)
      else
        this.#waiters.push((i2) => {
          this.incoming.splice(this.incoming.indexOf(i2), 1)
          resolve(i2)
        })
    })
  }

  /** Answers with 200 and the plain SDP; the returned call's `acked` resolves on the ACK. */
  async answer(invitation: Invitation): Promise<SipJsCall> {
    const call = this.#watch(invitation)
    await invitation.accept()
    return call
  }

  /** Sends BYE; resolves when its 200 came. */
  hangUp(call: SipJsCall): Promise<void> {
    return within(WAIT, `SIP.js ${this.name} BYE`, (resolve, reject) => {
      call.session
        .bye({
          requestDelegate: {
            onAccept: () => resolve(),
            onReject: (r) => reject(new Error(`BYE rejected: ${r.message.statusCode}`)),
          },
        })
        .catch(reject)
    })
  }

  async stop(): Promise<void> {
    await Promise.race([this.ua.stop(), new Promise((r) => setTimeout(r, 3000))])
  }
}
