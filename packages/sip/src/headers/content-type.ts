/**
 * Content-Type, RFC 3261 §20.15: `media-type = m-type SLASH m-subtype *(SEMI m-parameter)`.
 */
import { charAt, scan, skipWs, TOKEN } from '../chars.ts'
import { defineHeader } from '../header.ts'
import { formatParams, type Params, readParams } from '../params.ts'

export interface ContentTypeValue {
  /** `type/subtype` in lower case: `application/sdp`, `multipart/mixed`. */
  readonly mediaType: string
  /** Parameters (`boundary`, `charset`): names in lower case, values as written, as text (see params.ts). */
  readonly params?: Params | undefined
}

export function parseContentType(s: string, start: number, end: number): ContentTypeValue | undefined {
  const typeEnd = scan(s, start, end, TOKEN)
  if (typeEnd === start) return undefined
  let i = skipWs(s, typeEnd, end)
  if (charAt(s, i, end) !== 47) return undefined
  i = skipWs(s, i + 1, end)
  const subEnd = scan(s, i, end, TOKEN)
  if (subEnd === i) return undefined
  const mediaType = `${s.slice(start, typeEnd)}/${s.slice(i, subEnd)}`.toLowerCase()
  const params = readParams(s, subEnd, end)
  return params === undefined ? undefined : { mediaType, params }
}

/** Content-Type (compact `c`): the media type of the body (§20.15). */
export const ContentType = defineHeader({
  name: 'Content-Type',
  kind: 'single',
  parse: parseContentType,
  format: (v: ContentTypeValue) =>
    v.params === undefined ? v.mediaType : v.mediaType + formatParams(v.params),
})
