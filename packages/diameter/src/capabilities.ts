/**
 * Capabilities exchange (RFC 6733 §5.3): what a node advertises in its CER and CEA, what it learns
 * from the peer's, and the applications both support. An application is advertised as an
 * Auth-Application-Id (or Acct-Application-Id) when it is an IETF one, and as a
 * Vendor-Specific-Application-Id with the vendor in Supported-Vendor-Id otherwise (the Cx
 * application 16777216 of vendor 10415, ims.md §2.2). A peer advertising the relay application
 * (0xffffffff, freeDiameter's default) supports every application.
 */
import type { AvpList } from './avp.ts'
import type { Dictionary } from './dictionary.ts'
import type { DiameterMessage } from './message.ts'

/** The Relay application (RFC 6733 §2.4). */
export const RELAY_APPLICATION_ID = 0xffffffff

/** An application the node supports. */
export interface DiameterApplication {
  readonly applicationId: number
  /** The vendor of a vendor-specific application (10415 for Cx); 0 or absent for an IETF one. */
  readonly vendorId?: number
  /** An accounting application (Acct-Application-Id) rather than an auth one. Default false. */
  readonly accounting?: boolean
}

/** What this node says about itself in CER/CEA. */
export interface LocalIdentity {
  readonly originHost: string
  readonly originRealm: string
  /** Host-IP-Address values; empty: the local address of the connection. */
  readonly hostIpAddresses: readonly string[]
  readonly vendorId: number
  readonly productName: string
  readonly firmwareRevision: number | undefined
  readonly originStateId: number
  readonly applications: readonly DiameterApplication[]
}

/** What a peer said about itself in its CER or CEA. */
export interface RemoteCapabilities {
  readonly originHost: string
  readonly originRealm: string
  readonly hostIpAddresses: readonly string[]
  readonly vendorId: number | undefined
  readonly productName: string | undefined
  readonly firmwareRevision: number | undefined
  readonly originStateId: number | undefined
  readonly supportedVendorIds: readonly number[]
  /** Auth and Acct Application-Ids, from the plain AVPs and from Vendor-Specific-Application-Id. */
  readonly applicationIds: readonly number[]
}

type AnyList = AvpList<Dictionary>

/** The capability AVPs of a CER or CEA, for `createRequest`/`createAnswer`. */
export function capabilityAvps(
  local: LocalIdentity,
  localAddress: string | undefined,
): Record<string, unknown> {
  const auth: number[] = []
  const acct: number[] = []
  const vsai: Record<string, number>[] = []
  const vendors = new Set<number>()
  for (const app of local.applications) {
    const vendorId = app.vendorId ?? 0
    if (vendorId !== 0) {
      vendors.add(vendorId)
      vsai.push({
        'Vendor-Id': vendorId,
        [app.accounting === true ? 'Acct-Application-Id' : 'Auth-Application-Id']: app.applicationId,
      })
    } else if (app.accounting === true) acct.push(app.applicationId)
    else auth.push(app.applicationId)
  }
  const addresses =
    local.hostIpAddresses.length > 0
      ? [...local.hostIpAddresses]
      : [normalizeAddress(localAddress) ?? '127.0.0.1']
  const avps: Record<string, unknown> = {
    'Origin-Host': local.originHost,
    'Origin-Realm': local.originRealm,
    'Host-IP-Address': addresses,
    'Vendor-Id': local.vendorId,
    'Product-Name': local.productName,
    'Origin-State-Id': local.originStateId,
  }
  if (vendors.size > 0) avps['Supported-Vendor-Id'] = [...vendors]
  if (auth.length > 0) avps['Auth-Application-Id'] = auth
  if (acct.length > 0) avps['Acct-Application-Id'] = acct
  if (vsai.length > 0) avps['Vendor-Specific-Application-Id'] = vsai
  if (local.firmwareRevision !== undefined) avps['Firmware-Revision'] = local.firmwareRevision
  return avps
}

/** An IPv4-mapped IPv6 address as IPv4, without an IPv6 zone (`%eth0`); undefined stays undefined. */
export function normalizeAddress(address: string | undefined): string | undefined {
  if (address === undefined) return undefined
  const a = address.split('%')[0]!
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a
}

/** Reads the capabilities of a decoded CER or CEA. */
export function readCapabilities(message: DiameterMessage<Dictionary>): RemoteCapabilities {
  const avps = message.avps as AnyList
  const ids = new Set<number>()
  for (const id of avps.getAll('Auth-Application-Id') as number[]) ids.add(id)
  for (const id of avps.getAll('Acct-Application-Id') as number[]) ids.add(id)
  for (const g of avps.getAll('Vendor-Specific-Application-Id') as AnyList[]) {
    const auth = g.get('Auth-Application-Id') as number | undefined
    const acct = g.get('Acct-Application-Id') as number | undefined
    if (auth !== undefined) ids.add(auth)
    if (acct !== undefined) ids.add(acct)
  }
  return {
    originHost: (avps.get('Origin-Host') as string | undefined) ?? '',
    originRealm: (avps.get('Origin-Realm') as string | undefined) ?? '',
    hostIpAddresses: avps.getAll('Host-IP-Address') as string[],
    vendorId: avps.get('Vendor-Id') as number | undefined,
    productName: avps.get('Product-Name') as string | undefined,
    firmwareRevision: avps.get('Firmware-Revision') as number | undefined,
    originStateId: avps.get('Origin-State-Id') as number | undefined,
    supportedVendorIds: avps.getAll('Supported-Vendor-Id') as number[],
    applicationIds: [...ids],
  }
}

/**
 * The Application-Ids both sides support (RFC 6733 §5.3: "the applications common to both"):
 * every local one when the peer advertises the relay application, every one the peer advertises
 * when this node does (§2.4: a relay supports every application; a relay that only knew the
 * peers advertising 0xffffffff too could not open a connection to an HSS that speaks Cx). Empty
 * when the node advertises none (a node that only speaks the base protocol does not check).
 */
export function commonApplications(
  local: readonly DiameterApplication[],
  remote: RemoteCapabilities,
): number[] {
  if (local.some((a) => a.applicationId === RELAY_APPLICATION_ID)) return [...remote.applicationIds]
  const relay = remote.applicationIds.includes(RELAY_APPLICATION_ID)
  const out: number[] = []
  for (const app of local) {
    if (relay || remote.applicationIds.includes(app.applicationId)) out.push(app.applicationId)
  }
  return out
}
