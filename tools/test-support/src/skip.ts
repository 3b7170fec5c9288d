/**
 * The rule for tests against a real peer (tshark, Kamailio, SIPp...): skipped with a reason when
 * the peer is missing, except under CI=true, where CI installs every peer and a skip would hide a
 * broken install: there the test runs and fails.
 */
import { execFileSync } from 'node:child_process'

/** True when `command args` runs and exits 0 (its output is discarded). */
export function commandRuns(command: string, args: readonly string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** The `skip` option of node:test: `reason` when the peer is missing outside CI, else false. */
export function skipUnless(available: boolean, reason: string): string | false {
  return !available && process.env['CI'] !== 'true' ? reason : false
}
