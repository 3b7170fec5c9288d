import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  baseDictionary,
  CX_APPLICATION_ID,
  createDictionary,
  cxDictionary,
  DiameterCodecError,
  defaultDictionary,
  defineDictionary,
  faultCodes,
  VENDOR_3GPP,
} from './index.ts'

const bad = (fn: () => unknown, why: string) =>
  assert.throws(fn, (e) => e instanceof DiameterCodecError && e.code === faultCodes.BAD_DICTIONARY, why)

describe('the default dictionary: RFC 6733 base and TS 29.229 Cx/Dx', () => {
  test('lookups by name, by code and vendor, commands by code', () => {
    const d = defaultDictionary
    assert.equal(d.lookup(264, 0)?.name, 'Origin-Host')
    assert.equal(d.lookup(601, VENDOR_3GPP)?.name, 'Public-Identity')
    assert.equal(d.lookup(601, 0), undefined)
    // the same code under two vendors: OC-Supported-Features (IETF) and a 3GPP charging AVP
    assert.equal(d.lookup(621, 0)?.name, 'OC-Supported-Features')
    assert.equal(d.lookup(621, VENDOR_3GPP)?.name, 'Primary-Charging-Collection-Function-Name')
    assert.equal(d.lookup(500, 13019)?.name, 'Line-Identifier')
    assert.equal(d.command(303, true)?.name, 'MAR')
    assert.equal(d.command(303, false)?.name, 'MAA')
    assert.equal(d.commandByName('MAR')?.applicationId, CX_APPLICATION_ID)
    assert.equal(d.commandByName('CER')?.applicationId, 0)
    assert.equal(d.commandByName('MAR')?.longName, 'Multimedia-Auth-Request')
  })

  test('flags to send: V for vendor AVPs, M per the flag rules', () => {
    const flags = (name: string) => defaultDictionary.avp(name)?.flags
    assert.equal(flags('Origin-Host'), 0x40)
    assert.equal(flags('Product-Name'), 0x00)
    assert.equal(flags('Error-Message'), 0x00)
    assert.equal(flags('Firmware-Revision'), 0x00)
    assert.equal(flags('Public-Identity'), 0xc0)
    assert.equal(flags('SIP-Digest-Authenticate'), 0x80)
    assert.equal(flags('Line-Identifier'), 0x80)
    assert.equal(flags('DRMP'), 0x00)
  })

  test('every Cx AVP of TS 29.229 table 6.3.1 named in the issue is there, with its code', () => {
    const expected: [string, number][] = [
      ['Visited-Network-Identifier', 600],
      ['Public-Identity', 601],
      ['Server-Name', 602],
      ['Server-Capabilities', 603],
      ['Mandatory-Capability', 604],
      ['Optional-Capability', 605],
      ['User-Data', 606],
      ['SIP-Number-Auth-Items', 607],
      ['SIP-Authentication-Scheme', 608],
      ['SIP-Authenticate', 609],
      ['SIP-Authorization', 610],
      ['SIP-Authentication-Context', 611],
      ['SIP-Auth-Data-Item', 612],
      ['SIP-Item-Number', 613],
      ['Server-Assignment-Type', 614],
      ['Deregistration-Reason', 615],
      ['Reason-Code', 616],
      ['Reason-Info', 617],
      ['Charging-Information', 618],
      ['Primary-Event-Charging-Function-Name', 619],
      ['Secondary-Event-Charging-Function-Name', 620],
      ['Primary-Charging-Collection-Function-Name', 621],
      ['Secondary-Charging-Collection-Function-Name', 622],
      ['User-Authorization-Type', 623],
      ['User-Data-Already-Available', 624],
      ['Confidentiality-Key', 625],
      ['Integrity-Key', 626],
      ['Supported-Features', 628],
      ['Feature-List-ID', 629],
      ['Feature-List', 630],
      ['Supported-Applications', 631],
      ['Associated-Identities', 632],
      ['Originating-Request', 633],
      ['Wildcarded-Public-Identity', 634],
      ['SIP-Digest-Authenticate', 635],
    ]
    for (const [name, code] of expected) {
      const d = defaultDictionary.avp(name)
      assert.equal(d?.code, code, name)
      assert.equal(d?.vendorId, VENDOR_3GPP, name)
    }
  })

  test('enumerations carry their names', () => {
    assert.equal(defaultDictionary.avp('Server-Assignment-Type')?.values?.get(1), 'REGISTRATION')
    assert.equal(defaultDictionary.avp('Auth-Session-State')?.values?.get(1), 'NO_STATE_MAINTAINED')
  })
})

describe('createDictionary: modules resolve, or fail loudly', () => {
  test('an application on its own does not resolve: its grammars name base AVPs', () => {
    bad(() => createDictionary(cxDictionary), 'Cx alone')
  })

  test('the base module alone is a dictionary', () => {
    const d = createDictionary(baseDictionary)
    assert.equal(d.command(257, true)?.name, 'CER')
    assert.equal(d.command(300, true), undefined)
  })

  const app = (avps: Record<string, unknown>, commands: Record<string, string> = {}) =>
    defineDictionary({ name: 'test', applicationId: 5, avps: avps as never, commands })

  test('duplicates, unknown names, inconsistent definitions', () => {
    bad(
      () => createDictionary(baseDictionary, app({ 'Origin-Host': { code: 9000, type: 'UTF8String' } })),
      'name twice',
    )
    bad(() => createDictionary(baseDictionary, app({ X: { code: 264, type: 'UTF8String' } })), 'code twice')
    bad(
      () =>
        createDictionary(baseDictionary, app({ X: { code: 9000, type: 'Grouped', grammar: '{ Nope }' } })),
      'unknown',
    )
    bad(() => createDictionary(baseDictionary, app({ X: { code: 9000, type: 'Grouped' } })), 'no grammar')
    bad(
      () =>
        createDictionary(baseDictionary, app({ X: { code: 9000, type: 'Unsigned32', grammar: '{ A }' } })),
      'grammar',
    )
    bad(() => createDictionary(baseDictionary, app({ X: { code: 9000, type: 'Enumerated' } })), 'no values')
    bad(() => createDictionary(baseDictionary, app({ X: { code: -1, type: 'Unsigned32' } })), 'bad code')
    bad(
      () =>
        createDictionary(
          baseDictionary,
          app({ X: { code: 9000, type: 'Grouped', grammar: '{ Origin-Host } { Origin-Host }' } }),
        ),
      'listed twice',
    )
    bad(
      () =>
        createDictionary(
          baseDictionary,
          app({
            X: { code: 9000, type: 'Grouped', grammar: '{ Origin-Host } < Origin-Realm > [ Route-Record ]' },
          }),
        ),
      'fixed in the middle',
    )
    bad(
      () =>
        createDictionary(
          baseDictionary,
          app({}, { CER: '<CER> ::= < Diameter Header: 257, REQ > { Origin-Host }' }),
        ),
      'command twice',
    )
    bad(
      () =>
        createDictionary(
          baseDictionary,
          app({}, { ZZR: '<ZZR> ::= < Diameter Header: 257, REQ > { Origin-Host }' }),
        ),
      'code twice',
    )
    bad(
      () =>
        createDictionary(
          baseDictionary,
          app({}, { ZZR: '<ZZR> ::= < Diameter Header: 9999, REQ, 6 > { Origin-Host }' }),
        ),
      'app id',
    )
    bad(() => createDictionary(app({ X: { code: 9000, type: 'Unsigned32' } })), 'no error answer grammar')
  })
})
