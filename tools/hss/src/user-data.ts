/**
 * User-Data of the SAA: the IMSSubscription XML of TS 29.228 Annex E (schema CxDataType, Rel-7
 * element order: it validates against the CxDataType_Rel7.xsd Kamailio checks SAAs with). One
 * ServiceProfile holding the IMPUs of the implicit registration set being served and the
 * subscriber's initial filter criteria (Annex B.2.2), by ascending priority.
 */
import type { IfcConfig, SubscriberConfig } from './config.ts'

function esc(s: string): string {
  return s.replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  )
}

function el(name: string, value: string | number | undefined): string {
  return value === undefined ? '' : `<${name}>${esc(String(value))}</${name}>`
}

function sptXml(s: NonNullable<IfcConfig['trigger']>['spts'][number]): string {
  let out = '<SPT>'
  out += el('ConditionNegated', s.negated ? 1 : 0)
  for (const g of s.group) out += el('Group', g)
  if (s.requestUri !== undefined) out += el('RequestURI', s.requestUri)
  else if (s.method !== undefined) out += el('Method', s.method.toUpperCase())
  else if (s.header !== undefined)
    out += `<SIPHeader>${el('Header', s.header.name)}${el('Content', s.header.content)}</SIPHeader>`
  else if (s.sessionCase !== undefined) out += el('SessionCase', s.sessionCase)
  else if (s.sessionDescription !== undefined)
    out += `<SessionDescription>${el('Line', s.sessionDescription.line)}${el('Content', s.sessionDescription.content)}</SessionDescription>`
  if (s.registrationType !== undefined && s.registrationType.length > 0)
    out += `<Extension>${s.registrationType.map((t) => el('RegistrationType', t)).join('')}</Extension>`
  return `${out}</SPT>`
}

/** One InitialFilterCriteria element (TS 29.228 Annex B.2.2). */
export function ifcXml(ifc: IfcConfig): string {
  let out = `<InitialFilterCriteria>${el('Priority', ifc.priority)}`
  if (ifc.trigger !== undefined) {
    out += `<TriggerPoint>${el('ConditionTypeCNF', ifc.trigger.conditionTypeCNF ? 1 : 0)}`
    for (const s of ifc.trigger.spts) out += sptXml(s)
    out += '</TriggerPoint>'
  }
  const as = ifc.applicationServer
  out += `<ApplicationServer>${el('ServerName', as.serverName)}${el('DefaultHandling', as.defaultHandling)}${el('ServiceInfo', as.serviceInfo)}</ApplicationServer>`
  out += el('ProfilePartIndicator', ifc.profilePartIndicator)
  return `${out}</InitialFilterCriteria>`
}

/**
 * The User-Data for `impus` (an implicit registration set) of the subscriber: its `userData` as
 * configured, or the XML rendered from its iFCs.
 */
export function renderUserData(subscriber: SubscriberConfig, impus: readonly string[]): string {
  if (subscriber.userData !== undefined) return subscriber.userData
  let out = '<?xml version="1.0" encoding="UTF-8"?>\n<IMSSubscription>'
  out += el('PrivateID', subscriber.impi)
  out += '<ServiceProfile>'
  for (const impu of impus) out += `<PublicIdentity>${el('Identity', impu)}</PublicIdentity>`
  const ifcs = [...(subscriber.ifcs ?? [])].sort((a, b) => a.priority - b.priority)
  for (const ifc of ifcs) out += ifcXml(ifc)
  out += '</ServiceProfile></IMSSubscription>'
  return out
}

/**
 * Whether the subscriber has services while unregistered (TS 29.228 §6.2.1: LIR answers 2003):
 * as configured, else an iFC without ProfilePartIndicator or with UNREGISTERED (1); for raw
 * User-Data, any InitialFilterCriteria.
 */
export function hasUnregisteredServices(subscriber: SubscriberConfig): boolean {
  if (subscriber.unregisteredServices !== undefined) return subscriber.unregisteredServices
  if (subscriber.userData !== undefined) return subscriber.userData.includes('<InitialFilterCriteria>')
  return (subscriber.ifcs ?? []).some(
    (i) => i.profilePartIndicator === undefined || i.profilePartIndicator === 1,
  )
}
