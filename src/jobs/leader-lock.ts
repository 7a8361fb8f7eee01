import type { Cluster, Redis } from 'ioredis'

/**
 * The recalibration job's leader lock: one replica at a time holds
 * `${prefix}{registry}:leader:lock` (value = ownerId, PX expiry) and, each time leadership is
 * acquired, INCRs `${prefix}{registry}:leader:fence`; the new value is the fencing token the job
 * carries to the registry, which refuses a publish whose token is not the current fence. Both keys
 * share the `{registry}` hash tag, so the Lua scripts run on Redis Cluster too.
 *
 * Safety does not rest on the lock alone: this process counts itself leader only until
 * `sentAtMs + ttlMs - clockDriftMs`, where `sentAtMs` is taken before the acquire or renew was sent
 * (Redis started the expiry later than that, so the lock cannot have expired earlier). A leader
 * that cannot renew (Redis down, a call stuck in ioredis' offline queue) stops being leader at that
 * instant, whatever its timer does; a stale leader that acts anyway is stopped by the fence.
 */

export const LEADER_LOCK_ERROR_CODES = {
  LEADER_LOCK_ERR_REDIS: 'a Redis call of the lock failed (op names which; cause keeps the ioredis error)',
  LEADER_LOCK_ERR_REPLY: 'a lock script answered with something other than an integer',
  LEADER_LOCK_ERR_TIMEOUT: 'the release on stop() got no answer within ttlMs (the lock then expires by itself)'
} as const

export type LeaderLockErrorCode = keyof typeof LEADER_LOCK_ERROR_CODES
export type LeaderLockOp = 'acquire' | 'renew' | 'release'

/** Every error the lock reports or throws; match on `code`. */
export class LeaderLockError extends Error {
  override readonly name = 'LeaderLockError'
  readonly code: LeaderLockErrorCode
  readonly op: LeaderLockOp

  constructor (code: LeaderLockErrorCode, op: LeaderLockOp, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
    this.op = op
  }
}

export interface LeaderState {
  leader: boolean
  /** the fencing token while leader */
  token?: number
  /** why the state changed: 'acquired', 'renew refused', 'lease expired', 'released', 'stopped' */
  reason: string
}

export interface LeaderLockOptions {
  redis: Redis | Cluster
  /** key prefix, e.g. "pretrade:" */
  prefix: string
  /** unique per process, e.g. `${hostname}:${pid}:${uuid}` */
  ownerId: string
  /** lock expiry; a dead leader is replaced within ttlMs + renewEveryMs */
  ttlMs: number
  /** the loop's period (renew while leader, try to acquire otherwise); default ttlMs / 3 */
  renewEveryMs?: number
  /** margin taken off each lease for clock rate differences; default ttlMs / 100 + 2 (Redlock's) */
  clockDriftMs?: number
  /** the clock leases are measured on; default Date.now */
  nowMs?: () => number
  /** runs the loop's tick every periodMs until the returned cancel is called; default `everyInterval` (an unref'ed setInterval). A test passes a fake with its `nowMs` to step through renewals. */
  every?: Every
  /** called on each change of (leader, token); a throwing listener is reported through onError */
  onChange?: (state: LeaderState) => void
  /** the loop's caught errors (Redis down, a listener that threw); for logging */
  onError?: (err: unknown) => void
}

export interface LeaderLockStatus {
  ownerId: string
  leader: boolean
  token?: number
  /** when this process stops counting itself leader unless a renew succeeds first */
  leaseUntilMs?: number
  lastError?: string
}

/** KEYS lock, fence; ARGV ownerId, ttlMs. Returns the fencing token, or 0 if another owner holds the lock. */
const ACQUIRE = `
local cur = redis.call('GET', KEYS[1])
if cur == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  local fence = redis.call('GET', KEYS[2])
  if not fence then return redis.call('INCR', KEYS[2]) end
  return tonumber(fence)
end
if cur then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('INCR', KEYS[2])`

/** KEYS lock, fence; ARGV ownerId, ttlMs, token. 1 if still ours with our token (expiry reset), else 0. */
const RENEW = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if redis.call('GET', KEYS[2]) ~= ARGV[3] then return 0 end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`

/** KEYS lock; ARGV ownerId. 1 if it was ours and is deleted, else 0. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`

interface Held { token: number, leaseUntilMs: number }

/** Runs `task` every `periodMs` until the returned function is called. */
export type Every = (task: () => Promise<void>, periodMs: number) => () => void

/** The real timer: a setInterval that never keeps the process alive. */
export const everyInterval: Every = (task, periodMs) => {
  const timer = setInterval(() => { void task() }, periodMs)
  timer.unref()
  return () => clearInterval(timer)
}

/**
 * Leader election for the scheduled job. `start()` runs a loop every renewEveryMs (unref'ed
 * timer): renew while leader, otherwise try to acquire. Redis errors in the loop are caught and
 * reported through onError; they never end the loop. Calls never overlap: while one is in flight
 * (ioredis may queue it until it reconnects) the loop only checks the lease.
 *
 * @throws TypeError / RangeError at construction, naming the bad option.
 */
export class LeaderLock {
  readonly #redis: Redis | Cluster
  readonly #lockKey: string
  readonly #fenceKey: string
  readonly #ownerId: string
  readonly #ttlMs: number
  readonly #renewEveryMs: number
  readonly #clockDriftMs: number
  readonly #nowMs: () => number
  readonly #every: Every
  readonly #onChange: ((state: LeaderState) => void) | undefined
  readonly #onError: ((err: unknown) => void) | undefined
  #held: Held | undefined
  #announced: { leader: boolean, token?: number } = { leader: false }
  #cancelLoop: (() => void) | undefined
  #inFlight = false
  #stopped = false
  #crashed = false
  #lastError: string | undefined

  constructor (options: LeaderLockOptions) {
    const { redis, prefix, ownerId, ttlMs } = options
    if (redis === null || typeof redis !== 'object' || typeof redis.eval !== 'function') throw new TypeError('LeaderLock: redis must be an ioredis Redis or Cluster client')
    if (typeof prefix !== 'string') throw new TypeError('LeaderLock: prefix must be a string')
    if (typeof ownerId !== 'string' || ownerId === '') throw new TypeError('LeaderLock: ownerId must be a non-empty string')
    if (!Number.isInteger(ttlMs) || ttlMs < 10) throw new RangeError(`LeaderLock: ttlMs must be an integer >= 10 (got ${ttlMs})`)
    const clockDriftMs = options.clockDriftMs ?? Math.floor(ttlMs / 100) + 2
    if (!Number.isInteger(clockDriftMs) || clockDriftMs < 0 || clockDriftMs >= ttlMs / 2) throw new RangeError(`LeaderLock: clockDriftMs must be an integer in [0, ttlMs / 2) (got ${clockDriftMs})`)
    const renewEveryMs = options.renewEveryMs ?? Math.floor(ttlMs / 3)
    if (!Number.isInteger(renewEveryMs) || renewEveryMs < 1 || renewEveryMs >= ttlMs - clockDriftMs) {
      throw new RangeError(`LeaderLock: renewEveryMs must be an integer in [1, ttlMs - clockDriftMs) so a lease is renewed before it ends (got ${renewEveryMs})`)
    }
    this.#redis = redis
    this.#lockKey = `${prefix}{registry}:leader:lock`
    this.#fenceKey = `${prefix}{registry}:leader:fence`
    this.#ownerId = ownerId
    this.#ttlMs = ttlMs
    this.#renewEveryMs = renewEveryMs
    this.#clockDriftMs = clockDriftMs
    this.#nowMs = options.nowMs ?? Date.now
    this.#every = options.every ?? everyInterval
    this.#onChange = options.onChange
    this.#onError = options.onError
  }

  /** True while this process holds an unexpired lease (checked against the clock on every call). */
  isLeader (): boolean {
    return this.#held !== undefined && this.#nowMs() < this.#held.leaseUntilMs
  }

  /** The fencing token while leader, else undefined. */
  token (): number | undefined {
    return this.isLeader() ? this.#held?.token : undefined
  }

  status (): LeaderLockStatus {
    const leader = this.isLeader()
    return {
      ownerId: this.#ownerId,
      leader,
      ...(leader && this.#held !== undefined ? { token: this.#held.token, leaseUntilMs: this.#held.leaseUntilMs } : {}),
      ...(this.#lastError !== undefined ? { lastError: this.#lastError } : {})
    }
  }

  /**
   * Takes the lock if free (new fencing token), or extends it if this owner already holds it
   * (current token). A reply that arrives after the lease it would grant has ended, or after
   * stop(), counts as not acquired.
   * @returns the fencing token, or undefined if another owner holds the lock.
   * @throws LeaderLockError LEADER_LOCK_ERR_REDIS / LEADER_LOCK_ERR_REPLY; the local state is left as it was.
   */
  async tryAcquire (): Promise<number | undefined> {
    const sentAtMs = this.#nowMs()
    const token = await this.#eval('acquire', ACQUIRE, 2, this.#lockKey, this.#fenceKey, this.#ownerId, this.#ttlMs)
    if (token === 0) return undefined
    if (this.#stopped) {
      if (!this.#crashed) this.#releaseQuietly()
      return undefined
    }
    const leaseUntilMs = sentAtMs + this.#ttlMs - this.#clockDriftMs
    if (this.#nowMs() >= leaseUntilMs) return undefined
    this.#set({ token, leaseUntilMs }, 'acquired')
    return token
  }

  /**
   * Resets the lock's expiry if it is still this owner's, with this owner's token as the fence.
   * @returns false if not held (leadership is then lost: onChange).
   * @throws LeaderLockError LEADER_LOCK_ERR_REDIS / LEADER_LOCK_ERR_REPLY; the lease then runs out on its own.
   */
  async renew (): Promise<boolean> {
    const held = this.#held
    if (held === undefined) return false
    const sentAtMs = this.#nowMs()
    const ok = await this.#eval('renew', RENEW, 2, this.#lockKey, this.#fenceKey, this.#ownerId, this.#ttlMs, held.token)
    if (this.#held !== held) return ok === 1 && this.isLeader()
    if (ok !== 1) {
      this.#set(undefined, 'renew refused')
      return false
    }
    this.#held = { token: held.token, leaseUntilMs: Math.max(held.leaseUntilMs, sentAtMs + this.#ttlMs - this.#clockDriftMs) }
    return this.isLeader()
  }

  /**
   * Gives leadership up at once (locally first, so nothing acts on it during the call), then
   * deletes the lock if it is still this owner's.
   * @throws LeaderLockError LEADER_LOCK_ERR_REDIS: the lock then expires by itself within ttlMs.
   */
  async release (): Promise<void> {
    this.#set(undefined, 'released')
    await this.#eval('release', RELEASE, 1, this.#lockKey, this.#ownerId)
  }

  /** Starts the loop: one attempt now, then every renewEveryMs. Idempotent. */
  start (): void {
    this.#stopped = false
    this.#crashed = false
    if (this.#cancelLoop !== undefined) return
    this.#cancelLoop = this.#every(async () => { await this.#tick() }, this.#renewEveryMs)
    void this.#tick()
  }

  /**
   * Stops the loop and releases the lock if held. Never throws: a release that fails or gets no
   * answer within ttlMs is reported through onError (the lock expires by itself).
   */
  async stop (): Promise<void> {
    const mayHold = this.#held !== undefined || this.#inFlight
    this.#halt()
    this.#set(undefined, 'stopped')
    if (!mayHold) return
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => reject(new LeaderLockError('LEADER_LOCK_ERR_TIMEOUT', 'release', `release got no answer within ${this.#ttlMs} ms`)), this.#ttlMs)
      timer.unref()
    })
    try {
      await Promise.race([this.#eval('release', RELEASE, 1, this.#lockKey, this.#ownerId), timeout])
    } catch (err) {
      this.#report(err)
    } finally {
      clearTimeout(timer)
    }
  }

  /**
   * Test hook: stops the loop WITHOUT releasing, as a crashed process would; the lock stays in
   * Redis until it expires. This process stops counting itself leader at once.
   */
  crash (): void {
    this.#crashed = true
    this.#halt()
    this.#held = undefined
    this.#announced = { leader: false }
  }

  /**
   * Runs fn with the fencing token if this process is leader now. fn's errors propagate. The lease
   * may end while fn runs; the token is what keeps a stale leader from publishing.
   */
  async runIfLeader<T>(fn: (token: number) => Promise<T>): Promise<{ ran: true, result: T } | { ran: false, reason: string }> {
    const token = this.token()
    if (token === undefined) return { ran: false, reason: this.#stopped ? 'leader lock stopped' : 'not leader' }
    return { ran: true, result: await fn(token) }
  }

  #halt (): void {
    this.#stopped = true
    this.#cancelLoop?.()
    this.#cancelLoop = undefined
  }

  async #tick (): Promise<void> {
    if (this.#held !== undefined && this.#nowMs() >= this.#held.leaseUntilMs) this.#set(undefined, 'lease expired')
    if (this.#inFlight || this.#stopped) return
    this.#inFlight = true
    try {
      if (this.#held !== undefined) await this.renew()
      else await this.tryAcquire()
      this.#lastError = undefined
    } catch (err) {
      this.#report(err)
    } finally {
      this.#inFlight = false
    }
  }

  #set (held: Held | undefined, reason: string): void {
    this.#held = held
    const next = held === undefined ? { leader: false } : { leader: true, token: held.token }
    if (next.leader === this.#announced.leader && next.token === this.#announced.token) return
    this.#announced = next
    try {
      this.#onChange?.({ ...next, reason })
    } catch (err) {
      this.#report(err)
    }
  }

  #releaseQuietly (): void {
    this.#eval('release', RELEASE, 1, this.#lockKey, this.#ownerId).catch((err: unknown) => this.#report(err))
  }

  #report (err: unknown): void {
    this.#lastError = err instanceof Error ? err.message : String(err)
    try {
      this.#onError?.(err)
    } catch {
      // a logger that throws must not stop the loop
    }
  }

  async #eval (op: LeaderLockOp, script: string, numKeys: number, ...args: Array<string | number>): Promise<number> {
    let reply: unknown
    try {
      reply = await this.#redis.eval(script, numKeys, ...args)
    } catch (err) {
      throw new LeaderLockError('LEADER_LOCK_ERR_REDIS', op, `leader lock ${op} failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
    if (typeof reply !== 'number' || !Number.isSafeInteger(reply)) throw new LeaderLockError('LEADER_LOCK_ERR_REPLY', op, `leader lock ${op} script answered ${JSON.stringify(reply)}, not an integer`)
    return reply
  }
}
