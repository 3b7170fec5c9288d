import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import {
  type Headers,
  type ListHeader,
  Path,
  parseMessage,
  parseUri,
  RecordRoute,
  Route,
  type RouteValue,
  ServiceRoute,
  sipUri,
} from '../index.ts'

function headers(...lines: string[]): Headers {
  const r = parseMessage(Buffer.from(`INVITE sip:b@example.com SIP/2.0\r\n${lines.join('\r\n')}\r\n\r\n`))
  assert.ok(r.ok, r.ok ? '' : r.error.reason)
  return r.message.headers
}

function parse(text: string): RouteValue | undefined {
  return Route.parse(text, 0, text.length)
}

const hosts = (all: readonly RouteValue[] | undefined): Array<string | undefined> | undefined =>
  all?.map((r) => (r.uri.kind === 'sip' ? r.uri.host : undefined))

const defs: Array<[string, ListHeader<RouteValue>]> = [
  ['Route (§20.34)', Route],
  ['Record-Route (§20.30)', RecordRoute],
  ['Path (RFC 3327 §4)', Path],
  ['Service-Route (RFC 3608 §5)', ServiceRoute],
]

describe('Route, Record-Route, Path, Service-Route (RFC 3261 §20.30, §20.34, §25.1)', () => {
  test('§20.34 example: two values, loose-routing lr kept as a URI param', () => {
    const all = headers('Route: <sip:bigbox3.site3.atlanta.com;lr>,\r\n <sip:server10.biloxi.com;lr>').get(
      Route,
    )
    assert.deepEqual(all, [
      { displayName: undefined, uri: parseUri('sip:bigbox3.site3.atlanta.com;lr'), params: new Map() },
      { displayName: undefined, uri: parseUri('sip:server10.biloxi.com;lr'), params: new Map() },
    ])
    assert.ok(all?.[0]?.uri.kind === 'sip' && all[0].uri.params.get('lr') === null)
  })

  test('§7.3.1: values in one field and over several fields read in order', () => {
    const h = headers(
      'Record-Route: <sip:p1.example.com;lr>,<sip:p2.example.com;lr>',
      'Route: <sip:other.example.com>',
      'Record-Route: <sip:p3.example.com;lr>',
    )
    assert.deepEqual(hosts(h.get(RecordRoute)), ['p1.example.com', 'p2.example.com', 'p3.example.com'])
    assert.equal(h.first(RecordRoute)?.uri.kind, 'sip')
    assert.deepEqual(hosts(h.get(Route)), ['other.example.com'])
    assert.equal(h.count(RecordRoute), 2)
  })

  test('RFC 3327 §5.3 Path and RFC 3608 §6.1 Service-Route examples: hosts in lower case', () => {
    const h = headers(
      'Path: <sip:P3.EXAMPLEHOME.COM;lr>,<sip:P1.EXAMPLEVISITED.COM;lr>',
      'Service-Route: <sip:P2.HOME.EXAMPLE.COM;lr>,<sip:HSP.HOME.EXAMPLE.COM;lr>',
    )
    assert.deepEqual(hosts(h.get(Path)), ['p3.examplehome.com', 'p1.examplevisited.com'])
    assert.deepEqual(hosts(h.get(ServiceRoute)), ['p2.home.example.com', 'hsp.home.example.com'])
  })

  test('§25.1 route-param = name-addr: a display name is allowed', () => {
    const r = parse('"Edge Proxy" <sip:edge.example.com;lr>')
    assert.equal(r?.displayName, 'Edge Proxy')
    assert.equal(parse('Edge Proxy<sip:edge.example.com;lr>')?.displayName, 'Edge Proxy')
  })

  test('§25.1 rr-param: params after ">" belong to the header value', () => {
    const r = parse('<sip:p1.example.com;lr>;ftag=abc;Flag;x="a,b"')
    assert.ok(r?.uri.kind === 'sip')
    assert.deepEqual([...r.uri.params], [['lr', null]])
    assert.deepEqual(
      [...r.params!],
      [
        ['ftag', 'abc'],
        ['flag', null],
        ['x', '"a,b"'],
      ],
    )
  })

  test('§7.3.1: a comma inside "<>" or quotes does not split the list', () => {
    const all = headers('Route: <sip:a,b@p1.example.com;lr>, "x, y" <sip:p2.example.com;lr>').get(Route)
    assert.equal(all?.length, 2)
    assert.ok(all?.[0]?.uri.kind === 'sip' && all[0].uri.user === 'a,b')
    assert.equal(all?.[1]?.displayName, 'x, y')
  })

  for (const [name, h] of defs) {
    test(`${name}: the angle brackets are mandatory (§25.1 name-addr only)`, () => {
      const read = (text: string): RouteValue | undefined => h.parse(text, 0, text.length)
      assert.equal(read('sip:p1.example.com;lr'), undefined)
      assert.equal(read('sip:p1.example.com'), undefined)
      assert.equal(read('"P1" sip:p1.example.com'), undefined)
      assert.equal(read('<sip:p1.example.com;lr>')?.uri.kind, 'sip')
    })
  }

  test('invalid values give undefined', () => {
    for (const bad of [
      '',
      '<sip:p1.example.com;lr',
      '<sip:p1.example.com;lr> junk',
      '<sip:p1.example.com;lr>;',
      '<>',
      '"unterminated <sip:p1.example.com>',
      '"name" sip:p1.example.com',
    ]) {
      assert.equal(parse(bad), undefined, JSON.stringify(bad))
    }
  })

  test('one value without brackets makes get undefined; first still reads the first', () => {
    const h = headers('Route: <sip:p1.example.com;lr>, sip:p2.example.com;lr')
    assert.equal(h.first(Route)?.uri.kind, 'sip')
    assert.equal(h.get(Route), undefined)
  })

  test('absent: get gives [], first undefined', () => {
    const h = headers('Max-Forwards: 70')
    assert.deepEqual(h.get(Route), [])
    assert.equal(h.first(Path), undefined)
  })
})

describe('Route family: format', () => {
  test('a built value: bracketed URI, display name, params', () => {
    const v: RouteValue = {
      displayName: 'Proxy One',
      uri: sipUri({ host: 'p1.example.com', params: { lr: null } }),
      params: new Map([['ftag', 'x']]),
    }
    for (const [, h] of defs) assert.equal(h.format(v), 'Proxy One <sip:p1.example.com;lr>;ftag=x')
    assert.equal(
      Route.format({ uri: sipUri({ host: 'p.example.com', port: 5060 }) }),
      '<sip:p.example.com:5060>',
    )
  })

  test('parse(format(v)) deep-equals v', () => {
    const v: RouteValue = {
      displayName: 'a "quoted", name',
      uri: sipUri({ user: 'x;y', host: '[2001:db8::1]', port: 5061, params: { lr: null, transport: 'tls' } }),
      params: new Map<string, string | null>([
        ['flag', null],
        ['v', '"1,2"'],
      ]),
    }
    for (const [, h] of defs) {
      const text = h.format(v)
      assert.deepEqual(h.parse(text, 0, text.length), v)
    }
  })

  test('parse → format → parse is stable for wire examples', () => {
    for (const wire of [
      '<sip:bigbox3.site3.atlanta.com;lr>',
      '<sip:P3.EXAMPLEHOME.COM;lr>',
      '"Edge Proxy" <sip:edge.example.com;lr>;ftag=abc;Flag',
      'Edge   Proxy<sip:edge.example.com;lr;unknownwith=value>',
      '<sip:a,b@p1.example.com;lr>',
    ]) {
      const v = parse(wire)
      assert.ok(v !== undefined, wire)
      const text = Route.format(v)
      assert.deepEqual(parse(text), v, text)
      assert.equal(Route.format(parse(text)!), text)
    }
  })
})
