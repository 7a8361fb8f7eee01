export interface WaitOptions {
  /** give up after this long, ms; a guard against hanging, not a timing assertion */
  timeoutMs?: number
  /** pause between two checks, ms */
  everyMs?: number
}

/**
 * Polls `check` every `everyMs` until it returns true; the one wait helper of the tests. A check
 * that throws ends the wait with its error.
 * @returns how long the wait took, ms.
 * @throws Error `timed out after <timeoutMs> ms waiting for <what>` when the check never held.
 */
export async function waitFor (what: string, check: () => boolean | Promise<boolean>, options: WaitOptions = {}): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 10_000
  const everyMs = options.everyMs ?? 25
  const startMs = Date.now()
  for (;;) {
    if (await check()) return Date.now() - startMs
    if (Date.now() - startMs >= timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await sleep(everyMs)
  }
}

/** Resolves after `ms` of real time. */
export async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}
