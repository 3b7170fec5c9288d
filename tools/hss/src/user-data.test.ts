import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseConfig, type SubscriberConfig } from './config.ts'
import { hasUnregisteredServices, renderUserData } from './user-data.ts'

function subscriber(extra: object): SubscriberConfig {
  const r = parseConfig({
    subscribers: [
      { impi: 'a&b@ims.test', impus: ['sip:a@ims.test'], k: '00'.repeat(16), op: '00'.repeat(16), ...extra },
    ],
  })
  assert.ok(r.ok, r.ok ? '' : r.problems.join('\n'))
  return r.config.subscribers[0]!
}

test('IMSSubscription in Annex E element order, iFCs by priority, text escaped', () => {
  const s = subscriber({
    ifcs: [
      {
        priority: 20,
        trigger: {
          conditionTypeCNF: true,
          spts: [
            { group: [0, 1], negated: true, method: 'invite' },
            { group: 1, header: { name: 'Content-Type', content: 'application/vnd.3gpp.sms' } },
            { group: 2, sessionDescription: { line: 'm', content: 'audio' } },
          ],
        },
        applicationServer: {
          serverName: 'sip:as2.ims.test',
          defaultHandling: 'SESSION_TERMINATED',
          serviceInfo: 'x<y',
        },
      },
      {
        priority: 10,
        trigger: { spts: [{ method: 'REGISTER', registrationType: ['INITIAL', 'RE_REGISTRATION'] }] },
        applicationServer: { serverName: 'sip:as1.ims.test' },
        profilePartIndicator: 'UNREGISTERED',
      },
    ],
  })
  const xml = renderUserData(s, ['sip:a@ims.test', 'tel:+1555'])
  assert.ok(
    xml.startsWith(
      '<?xml version="1.0" encoding="UTF-8"?>\n<IMSSubscription><PrivateID>a&amp;b@ims.test</PrivateID>',
    ),
  )
  assert.match(
    xml,
    /<ServiceProfile><PublicIdentity><Identity>sip:a@ims.test<\/Identity><\/PublicIdentity><PublicIdentity><Identity>tel:\+1555<\/Identity><\/PublicIdentity><InitialFilterCriteria><Priority>10<\/Priority>/,
  )
  assert.ok(xml.indexOf('<Priority>10</Priority>') < xml.indexOf('<Priority>20</Priority>'))
  assert.match(
    xml,
    /<SPT><ConditionNegated>0<\/ConditionNegated><Group>0<\/Group><Method>REGISTER<\/Method><Extension><RegistrationType>0<\/RegistrationType><RegistrationType>1<\/RegistrationType><\/Extension><\/SPT>/,
  )
  assert.match(
    xml,
    /<SPT><ConditionNegated>1<\/ConditionNegated><Group>0<\/Group><Group>1<\/Group><Method>INVITE<\/Method><\/SPT>/,
  )
  assert.match(
    xml,
    /<SIPHeader><Header>Content-Type<\/Header><Content>application\/vnd.3gpp.sms<\/Content><\/SIPHeader>/,
  )
  assert.match(xml, /<SessionDescription><Line>m<\/Line><Content>audio<\/Content><\/SessionDescription>/)
  assert.match(
    xml,
    /<ApplicationServer><ServerName>sip:as2.ims.test<\/ServerName><DefaultHandling>1<\/DefaultHandling><ServiceInfo>x&lt;y<\/ServiceInfo><\/ApplicationServer><\/InitialFilterCriteria>/,
  )
  assert.match(xml, /<ProfilePartIndicator>1<\/ProfilePartIndicator><\/InitialFilterCriteria>/)
  assert.match(xml, /<ConditionTypeCNF>1<\/ConditionTypeCNF>/)
  assert.ok(xml.endsWith('</ServiceProfile></IMSSubscription>'))
})

test('raw userData is sent as it is; unregistered services from the iFCs or as configured', () => {
  const raw = '<IMSSubscription><PrivateID>x</PrivateID></IMSSubscription>'
  assert.equal(renderUserData(subscriber({ userData: raw }), ['sip:a@ims.test']), raw)
  assert.equal(hasUnregisteredServices(subscriber({ userData: raw })), false)
  assert.equal(hasUnregisteredServices(subscriber({})), false)
  const as = { serverName: 'sip:as' }
  assert.equal(
    hasUnregisteredServices(
      subscriber({ ifcs: [{ priority: 1, applicationServer: as, profilePartIndicator: 'REGISTERED' }] }),
    ),
    false,
  )
  assert.equal(hasUnregisteredServices(subscriber({ ifcs: [{ priority: 1, applicationServer: as }] })), true)
  assert.equal(hasUnregisteredServices(subscriber({ unregisteredServices: true })), true)
})
