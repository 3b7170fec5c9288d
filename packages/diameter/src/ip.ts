/**
 * IPv4 and IPv6 addresses as text and octets, for the Address data type (RFC 6733 §4.3.1).
 * Formatting follows RFC 5952 (lower case, the longest run of zero groups compressed, IPv4-mapped
 * addresses in mixed notation).
 */

/** The 4 octets of a dotted-quad IPv4 address, or undefined. */
export function parseIPv4(text: string): Uint8Array | undefined {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  const out = new Uint8Array(4)
  for (let i = 0; i < 4; i++) {
    const p = parts[i]!
    if (p.length === 0 || p.length > 3 || (p.length > 1 && p.charCodeAt(0) === 48)) return undefined
    let n = 0
    for (let j = 0; j < p.length; j++) {
      const c = p.charCodeAt(j) - 48
      if (c < 0 || c > 9) return undefined
      n = n * 10 + c
    }
    if (n > 255) return undefined
    out[i] = n
  }
  return out
}

/** The 16 octets of an IPv6 address (RFC 4291 §2.2 text forms), or undefined. */
export function parseIPv6(text: string): Uint8Array | undefined {
  if (text.length < 2 || text.length > 45) return undefined
  const out = new Uint8Array(16)
  let head = text
  let tailText = ''
  const dbl = text.indexOf('::')
  if (dbl !== -1) {
    if (text.indexOf('::', dbl + 1) !== -1) return undefined
    head = text.slice(0, dbl)
    tailText = text.slice(dbl + 2)
  }
  const headGroups = head === '' ? [] : head.split(':')
  const tailGroups = tailText === '' ? [] : tailText.split(':')
  const groups: number[] = []
  const tail: number[] = []
  const last = dbl === -1 ? headGroups : tailGroups
  // an embedded IPv4 address in the last group
  let v4: Uint8Array | undefined
  if (last.length > 0 && last[last.length - 1]!.includes('.')) {
    v4 = parseIPv4(last.pop()!)
    if (v4 === undefined) return undefined
  }
  for (const g of headGroups) {
    const n = parseGroup(g)
    if (n < 0) return undefined
    groups.push(n)
  }
  for (const g of tailGroups) {
    const n = parseGroup(g)
    if (n < 0) return undefined
    tail.push(n)
  }
  if (v4 !== undefined) tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!)
  const total = groups.length + tail.length
  if (dbl === -1 ? total !== 8 : total > 7) return undefined
  let i = 0
  for (const n of groups) {
    out[i++] = n >> 8
    out[i++] = n & 0xff
  }
  i = 16 - tail.length * 2
  for (const n of tail) {
    out[i++] = n >> 8
    out[i++] = n & 0xff
  }
  return out
}

function parseGroup(g: string): number {
  if (g.length === 0 || g.length > 4) return -1
  let n = 0
  for (let i = 0; i < g.length; i++) {
    const c = g.charCodeAt(i)
    let d: number
    if (c >= 48 && c <= 57) d = c - 48
    else if (c >= 97 && c <= 102) d = c - 87
    else if (c >= 65 && c <= 70) d = c - 55
    else return -1
    n = (n << 4) | d
  }
  return n
}

export function formatIPv4(b: Uint8Array, at = 0): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`
}

/** RFC 5952 text of the 16 octets at `b[at]`. */
export function formatIPv6(b: Uint8Array, at = 0): string {
  const g: number[] = []
  for (let i = 0; i < 8; i++) g.push((b[at + 2 * i]! << 8) | b[at + 2 * i + 1]!)
  // IPv4-mapped (::ffff:a.b.c.d), RFC 5952 §5
  if (g[0] === 0 && g[1] === 0 && g[2] === 0 && g[3] === 0 && g[4] === 0 && g[5] === 0xffff) {
    return `::ffff:${formatIPv4(b, at + 12)}`
  }
  // longest run of two or more zero groups, the first one on a tie (RFC 5952 §4.2)
  let bestStart = -1
  let bestLen = 1
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && g[j] === 0) j++
    if (j - i > bestLen) {
      bestStart = i
      bestLen = j - i
    }
    i = j
  }
  const hex = (n: number) => n.toString(16)
  if (bestStart === -1) return g.map(hex).join(':')
  const left = g.slice(0, bestStart).map(hex).join(':')
  const right = g
    .slice(bestStart + bestLen)
    .map(hex)
    .join(':')
  return `${left}::${right}`
}
