/** Waiting for a duration that Ctrl-C (an AbortSignal) may cut short. */

/** Resolves after `seconds` (never when undefined or 0 means "until aborted"), or when `signal` aborts. */
export function hold(
  seconds: number | undefined,
  signal: AbortSignal | undefined,
): Promise<'elapsed' | 'aborted'> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) return resolve('aborted')
    let timer: ReturnType<typeof setTimeout> | undefined
    const onAbort = () => {
      clearTimeout(timer)
      resolve('aborted')
    }
    signal?.addEventListener('abort', onAbort, { once: true })
    if (seconds !== undefined && seconds > 0) {
      timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve('elapsed')
      }, seconds * 1000)
    }
  })
}
