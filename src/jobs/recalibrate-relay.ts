import { randomUUID } from 'node:crypto'
import type { RedisClient } from '../store/redis-connection.js'
import type { SymbolOutcome } from './recalibrate.js'

export const RELAY_ERROR_CODES = {
  RELAY_ERR_QUEUE: 'Redis did not take the request (cause keeps the ioredis error); nothing was asked of the leader',
  RELAY_ERR_TIMEOUT: 'no leader answered within the timeout (no replica holds the lock, Redis is unreachable, or the leader died mid-run); the request is dropped unrun',
  RELAY_ERR_RUN_FAILED: 'the leader ran the job and it threw; the message carries its error',
  RELAY_ERR_BAD_ANSWER: 'the answer the leader stored is not { outcomes } or { error }'
} as const

export type RelayErrorCode = keyof typeof RELAY_ERROR_CODES

/** Why a relayed recalibration got no outcomes; match on `code`. */
export class RelayError extends Error {
  override readonly name = 'RelayError'
  readonly code: RelayErrorCode

  constructor (code: RelayErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

/** True for an error whose `code` is one of RELAY_ERROR_CODES. */
export function isRelayError (err: unknown): err is RelayError {
  const code = (err as { code?: unknown } | null | undefined)?.code
  return err instanceof Error && typeof code === 'string' && Object.hasOwn(RELAY_ERROR_CODES, code)
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
  /** the clock of the deadlines (default Date.now) */
  nowMs?: () => number
  /** a requester's wait between two looks for its answer (default setTimeout) */
  sleep?: (ms: number) => Promise<void>
  /**
   * calls `tick` (the leader's look for requests) every `ms` until the returned function is called;
   * `tick` resolves once that look is over and never rejects. Default: an unref'd setInterval
   */
  every?: (ms: number, tick: () => Promise<void>) => () => void
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
 * request nobody answered by its deadline fails with RELAY_ERR_TIMEOUT and is dropped unrun; one whose
 * leader died mid-run fails the same way (the next leader does not rerun it).
 */
export class RecalibrateRelay {
  readonly #o: RecalibrateRelayOptions
  readonly #queue: string
  readonly #pollMs: number
  readonly #now: () => number
  readonly #sleep: (ms: number) => Promise<void>
  readonly #every: (ms: number, tick: () => Promise<void>) => () => void
  readonly #inFlight = new Set<Promise<void>>()
  #stopTicking: (() => void) | undefined
  #serving: Promise<void> | undefined

  constructor (options: RecalibrateRelayOptions) {
    this.#o = options
    this.#queue = `${options.prefix}{jobs}:recalibrate:queue`
    this.#pollMs = options.pollMs ?? 200
    this.#now = options.nowMs ?? Date.now
    this.#sleep = options.sleep ?? sleep
    this.#every = options.every ?? everyInterval
  }

  #answerKey (id: string): string {
    return `${this.#o.prefix}{jobs}:recalibrate:answer:${id}`
  }

  /** Starts serving requests while this replica is the leader. */
  start (): void {
    this.#stopTicking ??= this.#every(this.#pollMs, async () => {
      const serving = this.#serving ??= this.#serve().finally(() => { this.#serving = undefined })
      await serving
    })
  }

  /** Stops taking requests and waits for the ones being run to be answered. */
  async stop (): Promise<void> {
    this.#stopTicking?.()
    this.#stopTicking = undefined
    await this.#serving
    await Promise.all([...this.#inFlight])
  }

  /**
   * Asks the leader to run the job and waits up to `timeoutMs` for its outcomes.
   * @throws RelayError RELAY_ERR_QUEUE when Redis does not take the request, RELAY_ERR_TIMEOUT when no answer came
   *   in time, RELAY_ERR_RUN_FAILED when the leader's run threw, RELAY_ERR_BAD_ANSWER when its answer is unreadable
   */
  async request (symbols: string[] | undefined, timeoutMs: number): Promise<SymbolOutcome[]> {
    const deadlineMs = this.#now() + timeoutMs
    const request: RelayedRequest = { id: randomUUID(), deadlineMs, ...(symbols !== undefined ? { symbols } : {}) }
    try {
      // the queue lives as long as its newest request: with no leader at all, it does not pile up
      const replies = await this.#o.redis.multi().rpush(this.#queue, JSON.stringify(request)).pexpire(this.#queue, timeoutMs).exec()
      const failed = replies === null ? new Error('transaction aborted') : replies.find(([err]) => err !== null)?.[0]
      if (failed !== undefined && failed !== null) throw failed
    } catch (err) {
      throw new RelayError('RELAY_ERR_QUEUE', `the request could not be queued for the leader: ${(err as Error).message}`, { cause: err })
    }
    const key = this.#answerKey(request.id)
    while (this.#now() < deadlineMs) {
      await this.#sleep(this.#pollMs)
      // a failed read (Redis blinking) is retried on the next poll
      const text = await this.#o.redis.getdel(key).catch(() => null)
      if (text === null) continue
      const answer = parseAnswer(text)
      if (answer === undefined) throw new RelayError('RELAY_ERR_BAD_ANSWER', `the leader's run failed: unreadable answer ${text.slice(0, 200)}`)
      if ('error' in answer) throw new RelayError('RELAY_ERR_RUN_FAILED', `the leader's run failed: ${answer.error}`)
      return answer.outcomes
    }
    throw new RelayError('RELAY_ERR_TIMEOUT', `no leader answered within ${timeoutMs} ms (is any replica holding the leader lock, with Redis reachable?)`)
  }

  async #serve (): Promise<void> {
    try {
      // a replica that loses the lock stops taking requests at once (its publish would be refused)
      while (this.#o.isLeader() && this.#stopTicking !== undefined) {
        const text = await this.#o.redis.lpop(this.#queue)
        if (text === null) return
        const request = parseRequest(text)
        if (request === undefined) {
          this.#o.logger.warn({ request: text.slice(0, 200) }, 'malformed relayed recalibration request dropped')
        } else if (request.deadlineMs <= this.#now()) {
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

export interface RunOrRelayOptions {
  /** runs the job on this replica */
  run: (symbols: string[] | undefined) => Promise<SymbolOutcome[]>
  /** the way to the leader; absent without a registry, where each replica runs and keeps its own models */
  relay?: Pick<RecalibrateRelay, 'request'>
  /** true while this replica holds the leader lock */
  isLeader: () => boolean
  /** how long a relayed request waits for the leader's answer (RECALIBRATE_RELAY_TIMEOUT_MS) */
  timeoutMs: number
}

/**
 * The admin "recalibrate now": with a registry only the leader may publish, so a replica without
 * the lock hands the run to the leader through the relay and answers with its outcomes (a
 * RelayError when none comes within `timeoutMs`); the leader, or a replica without a registry,
 * runs the job here.
 */
export function runOrRelay (o: RunOrRelayOptions): (symbols: string[] | undefined) => Promise<SymbolOutcome[]> {
  return async (symbols) => o.relay === undefined || o.isLeader() ? await o.run(symbols) : await o.relay.request(symbols, o.timeoutMs)
}

async function sleep (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

function everyInterval (ms: number, tick: () => Promise<void>): () => void {
  const timer = setInterval(() => { void tick() }, ms)
  timer.unref()
  return () => clearInterval(timer)
}

/** The leader's answer, or undefined when it is neither { outcomes } nor { error }. */
function parseAnswer (text: string): { outcomes: SymbolOutcome[] } | { error: string } | undefined {
  try {
    const a = JSON.parse(text) as { outcomes?: unknown, error?: unknown } | null
    if (Array.isArray(a?.outcomes)) return { outcomes: a.outcomes as SymbolOutcome[] }
    if (typeof a?.error === 'string') return { error: a.error }
  } catch { /* below */ }
  return undefined
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
