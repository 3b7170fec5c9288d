/** `message <from> <to> <text>`: one MESSAGE (RFC 3428 §4), authenticated when challenged. */
import { type CommonOptions, type RunResult, withAgent } from './agent.ts'
import { responseEvent, resultOf } from './result.ts'

export interface MessageOptions extends CommonOptions {
  /** Content-Type of the text (default `text/plain;charset=UTF-8`). */
  readonly contentType?: string | undefined
}

export function message(
  from: string,
  to: string,
  text: string,
  options: MessageOptions = {},
): Promise<RunResult> {
  return withAgent(
    options,
    to,
    async (agent) => {
      const outcome = await agent.within(agent.ua.message(to, text, options.contentType))
      agent.emit(responseEvent('MESSAGE', outcome))
      return resultOf(outcome)
    },
    { identity: from },
  )
}
