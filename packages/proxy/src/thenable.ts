/** True for a promise (or any thenable): what a route hook or a resolution returns when it must wait. */
export function isThenable<T>(v: T | PromiseLike<T>): v is PromiseLike<T> {
  return typeof (v as { then?: unknown } | undefined)?.then === 'function'
}
