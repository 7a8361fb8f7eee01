import { randomUUID } from 'node:crypto'
import type { RedisClient } from '../store/redis-connection.js'
import type { SymbolOutcome } from './recalibrate.js'

/** Why a relayed recalibration got no answer. */
export class RelayError extends Error {
  override readonly name = 'RelayError'
  constructor (readonly code: 'RELAY_NO_LEADER' | 'RELAY_REDIS' | 'RELAY_RUN_FAILED', message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

export interface RecalibrateRelayOptions {
  redis: RedisClient
  prefix: string
  /** true while this replica holds the leader lock */
  isLeader: () => boolean
  /** runs the job here (only ever called while `isLeader()`) */
  run: (symbols: string[] | undefined) => Promise<SymbolOutcome[]>
  /** how often the leader looks for requests and a requester for its answer, ms (default 200) */
  pollMs?: number
  logger: { info: (o: object, m: string) => void, warn: (o: object, m: string) => void }
}

interface RelayedRequest {
  id: string
  symbols?: string[]
  /** the requester gives up then; the leader skips the request after it */
  deadlineMs: number
}

/** how long an answer waits to be read; the requester reads it within one poll */
const ANSWER_TTL_MS = 60_000

/**
 * Hands a recalibration asked of a replica that does not hold the leader lock to the one that does,
 * through Redis: the requester pushes `{ id, symbols, deadline }` on a queue, the leader (polling
 * it) runs the job and stores the outcomes (or the error) under the id, and the requester polls for them. A
 * request nobody answered by its deadline fails with RELAY_NO_LEADER and is dropped unrun; one whose
 * leader died mid-run fails the same way (the next leader does not rerun it).
 */
export class RecalibrateRelay {
  readonly #o: RecalibrateRelayOptions
  readonly #queue: string
  readonly #pollMs: number
  readonly #inFlight = new Set<Promise<void>>()
  #timer: NodeJS.Timeout | undefined
  #serving: Promise<void> | undefined

  constructor (options: RecalibrateRelayOptions) {
    this.#o = options
    this.#queue = `${options.prefix}{jobs}:recalibrate:queue`
    this.#pollMs = options.pollMs ?? 200
  }

  #answerKey (id: string): string {
    return `${this.#o.prefix}{jobs}:recalibrate:answer:${id}`
  }

  /** Starts serving requests while this replica is the leader. */
  start (): void {
    this.#timer ??= setInterval(() => { this.#serving ??= this.#serve().finally(() => { this.#serving = undefined }) }, this.#pollMs)
    this.#timer.unref()
  }

  /** Stops taking requests and waits for the ones being run to be answered. */
  async stop (): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#serving
    await Promise.all([...this.#inFlight])
  }

  /**
   * Asks the leader to run the job and waits up to `timeoutMs` for its outcomes.
   * @throws RelayError RELAY_REDIS when Redis does not take the request, RELAY_NO_LEADER when no answer came in time,
   *   RELAY_RUN_FAILED when the leader's run threw
   */
  async request (symbols: string[] | undefined, timeoutMs: number): Promise<SymbolOutcome[]> {
    const deadlineMs = Date.now() + timeoutMs
    const request: RelayedRequest = { id: randomUUID(), deadlineMs, ...(symbols !== undefined ? { symbols } : {}) }
    try {
      // the queue lives as long as its newest request: with no leader at all, it does not pile up
      const replies = await this.#o.redis.multi().rpush(this.#queue, JSON.stringify(request)).pexpire(this.#queue, timeoutMs).exec()
      const failed = replies === null ? new Error('transaction aborted') : replies.find(([err]) => err !== null)?.[0]
      if (failed !== undefined && failed !== null) throw failed
    } catch (err) {
      throw new RelayError('RELAY_REDIS', `the request could not be queued for the leader: ${(err as Error).message}`, { cause: err })
    }
    const key = this.#answerKey(request.id)
    while (Date.now() < deadlineMs) {
      await new Promise((resolve) => setTimeout(resolve, this.#pollMs))
      // a failed read (Redis blinking) is retried on the next poll
      const text = await this.#o.redis.getdel(key).catch(() => null)
      if (text === null) continue
      const answer = parseAnswer(text)
      if ('error' in answer) throw new RelayError('RELAY_RUN_FAILED', `the leader's run failed: ${answer.error}`)
      return answer.outcomes
    }
    throw new RelayError('RELAY_NO_LEADER', `no leader answered within ${timeoutMs} ms (is any replica holding the leader lock, with Redis reachable?)`)
  }

  async #serve (): Promise<void> {
    try {
      // a replica that loses the lock stops taking requests at once (its publish would be refused)
      while (this.#o.isLeader() && this.#timer !== undefined) {
        const text = await this.#o.redis.lpop(this.#queue)
        if (text === null) return
        const request = parseRequest(text)
        if (request === undefined) {
          this.#o.logger.warn({ request: text.slice(0, 200) }, 'malformed relayed recalibration request dropped')
        } else if (request.deadlineMs <= Date.now()) {
          this.#o.logger.warn({ request }, 'relayed recalibration request expired before a leader took it; not run')
        } else {
          // requests are run side by side: the job joins a run already in progress
          const answered = this.#answer(request).finally(() => this.#inFlight.delete(answered))
          this.#inFlight.add(answered)
        }
      }
    } catch (err) {
      this.#o.logger.warn({ err }, 'relayed recalibration requests could not be read; retrying')
    }
  }

  async #answer (request: RelayedRequest): Promise<void> {
    this.#o.logger.info({ request }, 'recalibration relayed from another replica')
    let answer
    try {
      answer = { outcomes: await this.#o.run(request.symbols) }
    } catch (err) {
      this.#o.logger.warn({ err, request }, 'relayed recalibration failed')
      answer = { error: (err as Error).message }
    }
    try {
      await this.#o.redis.set(this.#answerKey(request.id), JSON.stringify(answer), 'PX', ANSWER_TTL_MS)
    } catch (err) {
      this.#o.logger.warn({ err, request }, 'relayed recalibration could not be answered')
    }
  }
}

function parseAnswer (text: string): { outcomes: SymbolOutcome[] } | { error: string } {
  try {
    const a = JSON.parse(text) as { outcomes?: unknown, error?: unknown } | null
    if (Array.isArray(a?.outcomes)) return { outcomes: a.outcomes as SymbolOutcome[] }
    if (typeof a?.error === 'string') return { error: a.error }
  } catch { /* below */ }
  return { error: `unreadable answer ${text.slice(0, 200)}` }
}

function parseRequest (text: string): RelayedRequest | undefined {
  try {
    const r = JSON.parse(text) as Partial<RelayedRequest> | null
    if (typeof r?.id !== 'string' || typeof r.deadlineMs !== 'number') return undefined
    if (r.symbols !== undefined && !(Array.isArray(r.symbols) && r.symbols.every((s) => typeof s === 'string'))) return undefined
    return { id: r.id, deadlineMs: r.deadlineMs, ...(r.symbols !== undefined ? { symbols: r.symbols } : {}) }
  } catch {
    return undefined
  }
}
