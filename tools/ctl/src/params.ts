/**
 * JSON-RPC params from the command line: one JSON object or array (`'{"level":"debug"}'`), or
 * `key=value` words (by name), or plain words (by position). Each value is read as JSON when it
 * is JSON (`10`, `true`, `null`, `"10"`, `[1,2]`), else kept as text (`debug`).
 */

export type Params = Record<string, unknown> | unknown[] | undefined

export type ParamsResult =
  | { readonly ok: true; readonly params: Params }
  | { readonly ok: false; readonly error: string }

function value(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}

const keyPattern = /^[A-Za-z_][A-Za-z0-9_.-]*$/

export function parseParams(args: readonly string[]): ParamsResult {
  if (args.length === 0) return { ok: true, params: undefined }
  const first = args[0]!.trimStart()
  if (args.length === 1 && (first.startsWith('{') || first.startsWith('['))) {
    let parsed: unknown
    try {
      parsed = JSON.parse(args[0]!)
    } catch (e) {
      return { ok: false, error: `params are not valid JSON: ${(e as Error).message}` }
    }
    if (parsed === null || typeof parsed !== 'object') {
      return { ok: false, error: 'params must be a JSON object or array' }
    }
    return { ok: true, params: parsed as Params }
  }
  const named = args.map((a) => {
    const eq = a.indexOf('=')
    return eq > 0 && keyPattern.test(a.slice(0, eq))
      ? ([a.slice(0, eq), a.slice(eq + 1)] as const)
      : undefined
  })
  if (named.every((n) => n !== undefined)) {
    const entries = new Map<string, unknown>()
    for (const [k, v] of named) {
      if (entries.has(k)) return { ok: false, error: `the param ${k} is given twice` }
      entries.set(k, value(v))
    }
    // fromEntries defines own properties: a key named __proto__ stays a key
    return { ok: true, params: Object.fromEntries(entries) }
  }
  if (named.every((n) => n === undefined)) return { ok: true, params: args.map(value) }
  return { ok: false, error: 'params are either all key=value (by name) or all plain values (by position)' }
}
