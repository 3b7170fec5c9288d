import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { commonApplications, RELAY_APPLICATION_ID, type RemoteCapabilities } from './capabilities.ts'

const CX = 16777216
const SH = 16777217

function remote(applicationIds: number[]): RemoteCapabilities {
  return {
    originHost: 'peer.ims.test',
    originRealm: 'ims.test',
    hostIpAddresses: [],
    vendorId: undefined,
    productName: undefined,
    firmwareRevision: undefined,
    originStateId: undefined,
    supportedVendorIds: [],
    applicationIds,
  }
}

describe('commonApplications (RFC 6733 §5.3, §2.4)', () => {
  test('the applications both advertise', () => {
    assert.deepEqual(commonApplications([{ applicationId: CX }, { applicationId: SH }], remote([SH, 4])), [
      SH,
    ])
    assert.deepEqual(commonApplications([{ applicationId: CX }], remote([SH])), [])
  })
  test('a peer advertising the relay application has every local one in common', () => {
    assert.deepEqual(
      commonApplications([{ applicationId: CX }, { applicationId: SH }], remote([RELAY_APPLICATION_ID])),
      [CX, SH],
    )
  })
  test('a local relay has every application the peer advertises in common', () => {
    assert.deepEqual(commonApplications([{ applicationId: RELAY_APPLICATION_ID }], remote([CX, SH])), [
      CX,
      SH,
    ])
    assert.deepEqual(
      commonApplications([{ applicationId: RELAY_APPLICATION_ID }], remote([RELAY_APPLICATION_ID])),
      [RELAY_APPLICATION_ID],
    )
  })
})
