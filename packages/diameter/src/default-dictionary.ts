import { baseDictionary } from './dictionaries/base.ts'
import { cxDictionary } from './dictionaries/cx.ts'
import { createDictionary } from './dictionary.ts'

/** The dictionary the codec uses by default: the RFC 6733 base protocol and 3GPP Cx/Dx (TS 29.229). */
export const defaultDictionary = createDictionary(baseDictionary, cxDictionary)

export type DefaultDictionary = typeof defaultDictionary
