import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  CallId,
  CSeq,
  FromTag,
  formatUri,
  ProxyAuthorization,
  ProxyRequire,
  parseMessage,
  type SipRequest,
  ToTag,
  Via,
  type ViaValue,
} from '@junction/sip'
import fc from 'fast-check'
import { base36, branchOf, checkLoop, hash53, hashOfBranch, loopHash, statelessBranch } from './branch.ts'

function parse(text: string): SipRequest {
  const r = parseMessage(new TextEncoder().encode(text.split('\n').join('\r\n')))
  if (!r.ok || r.message.kind !== 'request') throw new Error('bad fixture')
  return r.message
}

const invite = (uri: string, extra = '') =>
  parse(`INVITE ${uri} SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKabc
From: <sip:a@example.com>;tag=1
To: <sip:b@example.com>
Call-ID: x
CSeq: 4 INVITE
${extra}Content-Length: 0

`)

const ours = (v: ViaValue) => v.host === '127.0.0.1'
const runs = Number(process.env['FC_NUM_RUNS'] ?? 10_000)

describe('loop hash and branches (§16.6 step 8)', () => {
  it('changes with the Request-URI, the CSeq number, the tags, Proxy-Require; not with other headers', () => {
    const base = invite('sip:b@example.com')
    const top = base.headers.first(Via)
    const h = loopHash(base, top)
    assert.equal(loopHash(invite('sip:b@example.com', 'Subject: hi\n'), top), h)
    assert.notEqual(loopHash(invite('sip:c@example.com'), top), h)
    assert.notEqual(loopHash(invite('sip:b@example.com', 'Proxy-Require: foo\n'), top), h)
    assert.notEqual(loopHash(base, { ...top!, branch: 'z9hG4bKother' }), h)
    assert.equal(hashOfBranch(branchOf(h, '7')), h)
    assert.equal(hashOfBranch('z9hG4bKnodot'), undefined)
    assert.equal(hashOfBranch('1234.5'), undefined)
  })

  it('a stateless branch is the same for every copy of a request and differs between requests', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-zA-Z0-9]{1,20}$/),
        fc.stringMatching(/^[a-zA-Z0-9]{1,20}$/),
        (b1, b2) => {
          const r = invite('sip:b@example.com')
          const v1 = { transport: 'UDP', host: '192.0.2.10', branch: `z9hG4bK${b1}` }
          const v2 = { transport: 'UDP', host: '192.0.2.10', branch: `z9hG4bK${b2}` }
          assert.equal(statelessBranch(r, v1), statelessBranch(r, { ...v1 }))
          if (b1 !== b2) assert.notEqual(statelessBranch(r, v1), statelessBranch(r, v2))
        },
      ),
      { numRuns: runs },
    )
  })
})

/** The hashes as first written: every field in one joined text, hashed whole. */
function joinedLoopHash(r: SipRequest, v: ViaValue | undefined): string {
  const h = r.headers
  const text = [
    formatUri(r.uri),
    h.get(ToTag) ?? '',
    h.get(FromTag) ?? '',
    h.get(CallId) ?? '',
    String(h.get(CSeq)?.seq ?? ''),
    v === undefined ? '' : `${v.host}:${v.port ?? ''};${v.branch ?? ''}`,
    h.has(ProxyRequire) ? h.raw(ProxyRequire).join(',') : '',
    h.has(ProxyAuthorization) ? h.raw(ProxyAuthorization).join(',') : '',
  ].join('\n')
  return base36(hash53(text))
}

describe('hashes fed field by field', () => {
  it('are the hashes of the joined text (branches stay what they were)', () => {
    const token = fc.stringMatching(/^[a-zA-Z0-9.!%*_+`'~-]{1,12}$/)
    fc.assert(
      fc.property(
        fc.record({
          user: fc.stringMatching(/^[a-z0-9]{1,12}$/),
          toTag: fc.option(token, { nil: undefined }),
          fromTag: token,
          callId: token,
          seq: fc.nat({ max: 2 ** 31 - 1 }),
          requires: fc.array(token, { maxLength: 3 }),
          auth: fc.boolean(),
          port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
          branch: fc.option(token, { nil: undefined }),
        }),
        (p) => {
          const r = parse(`INVITE sip:${p.user}@example.com SIP/2.0
Via: SIP/2.0/UDP 192.0.2.10;branch=z9hG4bKabc
From: <sip:a@example.com>;tag=${p.fromTag}
To: <sip:b@example.com>${p.toTag === undefined ? '' : `;tag=${p.toTag}`}
Call-ID: ${p.callId}
CSeq: ${p.seq} INVITE
${p.requires.map((t) => `Proxy-Require: ${t}\n`).join('')}${p.auth ? 'Proxy-Authorization: Digest username="a", nonce="n"\n' : ''}Content-Length: 0

`)
          const up = { transport: 'UDP', host: '192.0.2.10', port: p.port, branch: p.branch }
          assert.equal(loopHash(r, up), joinedLoopHash(r, up))
          assert.equal(loopHash(r, undefined), joinedLoopHash(r, undefined))
          const magic = { ...up, branch: `z9hG4bK${p.branch ?? 'x'}` }
          const joined = base36(hash53(`${magic.branch}\n${formatUri(r.uri)}`, 1))
          assert.equal(statelessBranch(r, magic), branchOf(joined, '0'))
        },
      ),
      { numRuns: runs },
    )
  })
})

describe('checkLoop (§16.3 step 4)', () => {
  it('none without a Via of ours; loop when our Via holds this hash; spiral when it does not', () => {
    const r = invite('sip:b@example.com')
    const upstream = r.headers.first(Via)!
    assert.equal(checkLoop(r, [upstream], ours), 'none')
    const mine = {
      transport: 'UDP',
      host: '127.0.0.1',
      port: 5060,
      branch: branchOf(loopHash(r, upstream), '1'),
    }
    const back = { transport: 'UDP', host: '192.0.2.50', branch: 'z9hG4bKz' }
    assert.equal(checkLoop(r, [back, mine, upstream], ours), 'loop')
    const changed = invite('sip:c@example.com')
    assert.equal(checkLoop(changed, [back, mine, upstream], ours), 'spiral')
    const foreign = { ...mine, branch: 'z9hG4bK-not-ours' }
    assert.equal(checkLoop(r, [foreign, upstream], ours), 'none')
  })
})

describe('base36', () => {
  it('writes what Number#toString(36) writes, for every safe non-negative integer', () => {
    assert.equal(base36(0), '0')
    assert.equal(base36(35), 'z')
    assert.equal(base36(36), '10')
    assert.equal(base36(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER.toString(36))
    fc.assert(fc.property(fc.maxSafeNat(), (n) => base36(n) === n.toString(36)))
  })
})
