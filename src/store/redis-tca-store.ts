import { whenReady, type RedisClient } from './redis-connection.js'
import type { TcaRecord, TcaStore } from './tca-store.js'

/** How long a retention run waits for the connection before trying anyway (and failing fast, logged). */
const READY_WAIT_MS = 2000

/**
 * Accepted TCA records in one Redis stream per symbol, `${prefix}{tca}:${symbol}` (entry id = auto,
 * Redis' clock; field `r` = the record's JSON), plus a SET `${prefix}{tca}:symbols` naming every
 * stream. Every replica writes, the job reads. All keys share the hash tag `{tca}`, so one MULTI
 * spans symbols on Redis Cluster too (all TCA streams then live on one shard). Needs Redis >= 6.2
 * (XTRIM MINID, exclusive XRANGE).
 *
 * Failure policy: nothing is retried here. `append` rejects when Redis is down or any XADD fails
 * (the route answers 503 "retry"); an XADD in flight when the connection drops may be resent once
 * on reconnect, so a record can be stored twice (at-least-once), never silently lost. `read` rejects
 * rather than return part of a stream. `trim` rejects with the counts it already removed.
 * Retention is by insertion time (the entry id), not executedAtMs.
 */

export interface RedisTcaStoreOptions {
  redis: RedisClient
  /** key prefix, e.g. "pretrade:" (REDIS_PREFIX) */
  prefix: string
  /** entries inserted longer ago than this are removed by trim (TCA_RETENTION_DAYS in ms) */
  retentionMs: number
  /** entries per XRANGE call, so reading a large stream never blocks Redis for long */
  readChunk?: number
  /**
   * how far executedAtMs may lie after the entry's insertion time (client clocks, future-dated
   * executions) and still be found by `read(symbol, sinceMs)`: the scan starts this much before sinceMs
   */
  executionLeadMs?: number
  /** `~` trimming: cheaper (whole stream nodes only) but may keep some expired entries until a later trim */
  trimApproximate?: boolean
  /** reports stream entries that are not valid records (skipped by read) */
  logger?: TcaStoreLogger
}

export interface TcaStoreLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
}

export interface TrimResult { symbol: string, removed: number }

/** A Redis TCA store operation failed; `trimmed` lists what a failed trim had already removed. */
export class TcaStoreError extends Error {
  readonly code = 'PRETRADE_ERR_TCA_STORE'
  readonly trimmed: TrimResult[]
  constructor (message: string, options: { cause?: unknown, trimmed?: TrimResult[] } = {}) {
    super(message, { cause: options.cause })
    this.name = 'TcaStoreError'
    this.trimmed = options.trimmed ?? []
  }
}

const DEFAULT_READ_CHUNK = 1000
const DEFAULT_EXECUTION_LEAD_MS = 86_400_000

export class RedisTcaStore implements TcaStore {
  readonly #redis: RedisClient
  readonly #prefix: string
  readonly #retentionMs: number
  readonly #readChunk: number
  readonly #leadMs: number
  readonly #approximate: boolean
  readonly #logger: TcaStoreLogger | undefined

  /** @throws RangeError when retentionMs, readChunk or executionLeadMs is not a positive/non-negative finite number. */
  constructor (options: RedisTcaStoreOptions) {
    if (!(Number.isFinite(options.retentionMs) && options.retentionMs > 0)) throw new RangeError(`RedisTcaStore: retentionMs must be > 0, got ${options.retentionMs}`)
    const readChunk = options.readChunk ?? DEFAULT_READ_CHUNK
    if (!(Number.isInteger(readChunk) && readChunk >= 1)) throw new RangeError(`RedisTcaStore: readChunk must be an integer >= 1, got ${readChunk}`)
    const leadMs = options.executionLeadMs ?? DEFAULT_EXECUTION_LEAD_MS
    if (!(Number.isFinite(leadMs) && leadMs >= 0)) throw new RangeError(`RedisTcaStore: executionLeadMs must be >= 0, got ${leadMs}`)
    this.#redis = options.redis
    this.#prefix = options.prefix
    this.#retentionMs = options.retentionMs
    this.#readChunk = readChunk
    this.#leadMs = leadMs
    this.#approximate = options.trimApproximate ?? false
    this.#logger = options.logger
  }

  /** The stream of `symbol`. */
  streamKey (symbol: string): string {
    return `${this.#prefix}{tca}:${symbol}`
  }

  /** The SET naming every symbol with a stream. */
  symbolsKey (): string {
    return `${this.#prefix}{tca}:symbols`
  }

  /**
   * Appends the records in one MULTI (SADD symbols + one XADD each); resolves once Redis has
   * acknowledged every one. Redis acknowledges in memory; durability on disk is Redis' own
   * persistence setting (appendonly).
   * @throws TcaStoreError when Redis is unreachable or any command of the transaction failed
   *   (a runtime error in MULTI does not undo the others: a retry may store some records twice).
   */
  async append (records: readonly TcaRecord[]): Promise<void> {
    if (records.length === 0) return
    const tx = this.#redis.multi()
    tx.sadd(this.symbolsKey(), ...new Set(records.map((r) => r.symbol)))
    for (const record of records) tx.xadd(this.streamKey(record.symbol), '*', 'r', JSON.stringify(record))
    let results: Array<[Error | null, unknown]> | null
    try {
      results = await tx.exec()
    } catch (err) {
      throw new TcaStoreError(`cannot append ${records.length} TCA records: ${(err as Error).message}`, { cause: err })
    }
    if (results === null) throw new TcaStoreError(`cannot append ${records.length} TCA records: transaction aborted`)
    const failed = results.filter(([err]) => err !== null)
    if (failed.length > 0) throw new TcaStoreError(`${failed.length} of ${results.length} commands appending TCA records failed: ${(failed[0][0] as Error).message}`, { cause: failed[0][0] })
  }

  /**
   * Records of `symbol` executed at or after `sinceMs`, oldest execution first (ties in insertion
   * order). Reads XRANGE from `sinceMs - executionLeadMs` in chunks of `readChunk`; entries that
   * are not valid records are skipped and reported to the logger.
   * @throws TcaStoreError when any chunk cannot be read (never a partial result).
   */
  async read (symbol: string, sinceMs = 0): Promise<TcaRecord[]> {
    const key = this.streamKey(symbol)
    const out: TcaRecord[] = []
    let start = `${Math.max(0, Math.floor(sinceMs - this.#leadMs))}-0`
    for (;;) {
      let entries: Array<[string, string[]]>
      try {
        entries = await this.#redis.xrange(key, start, '+', 'COUNT', this.#readChunk)
      } catch (err) {
        throw new TcaStoreError(`cannot read TCA records of ${symbol}: ${(err as Error).message}`, { cause: err })
      }
      for (const [id, fields] of entries) {
        const record = parseEntry(fields)
        if (record === undefined || record.symbol !== symbol) {
          this.#logger?.warn({ stream: key, id }, 'tca stream entry is not a valid record; skipped')
          continue
        }
        if (record.executedAtMs >= sinceMs) out.push(record)
      }
      if (entries.length < this.#readChunk) break
      start = `(${entries[entries.length - 1][0]}`
    }
    return out.sort((a, b) => a.executedAtMs - b.executedAtMs)
  }

  /**
   * Removes, from every symbol's stream, the entries inserted before `nowMs - retentionMs`
   * (`XTRIM key MINID [~] cutoff`, one symbol at a time so no call blocks Redis for long). Returns
   * the count per symbol (0 included) so the caller can log it: trimming is never silent.
   * @throws TcaStoreError when Redis fails; its `trimmed` lists the symbols already trimmed.
   */
  async trim (nowMs: number): Promise<TrimResult[]> {
    const cutoffMs = Math.floor(nowMs - this.#retentionMs)
    if (cutoffMs <= 0) return []
    const trimmed: TrimResult[] = []
    let symbols: string[]
    try {
      symbols = (await this.#redis.smembers(this.symbolsKey())).sort()
    } catch (err) {
      throw new TcaStoreError(`cannot list TCA streams to trim: ${(err as Error).message}`, { cause: err, trimmed })
    }
    for (const symbol of symbols) {
      try {
        const removed = this.#approximate
          ? await this.#redis.xtrim(this.streamKey(symbol), 'MINID', '~', cutoffMs)
          : await this.#redis.xtrim(this.streamKey(symbol), 'MINID', cutoffMs)
        trimmed.push({ symbol, removed })
      } catch (err) {
        throw new TcaStoreError(`cannot trim TCA records of ${symbol}: ${(err as Error).message}`, { cause: err, trimmed })
      }
    }
    return trimmed
  }

  /**
   * Trims now and then every `everyMs` (unref'ed timer; a trim still running is not overlapped).
   * Logs `{ symbol, removed, cutoffMs }` at info for each symbol that lost entries and a failed trim
   * at warn (with what it had removed); never throws. Every replica may run it: a trim another
   * replica already did removes 0 and logs nothing.
   * @throws RangeError when everyMs is not a positive finite number.
   */
  startRetention (options: { everyMs: number, logger: TcaStoreLogger, nowMs?: () => number }): { stop: () => Promise<void> } {
    if (!(Number.isFinite(options.everyMs) && options.everyMs > 0)) throw new RangeError(`RedisTcaStore.startRetention: everyMs must be > 0, got ${options.everyMs}`)
    const nowMs = options.nowMs ?? Date.now
    let running: Promise<void> | undefined
    let stopped = false
    const run = (): void => {
      if (stopped || running !== undefined) return
      const startedMs = nowMs()
      const cutoffMs = startedMs - this.#retentionMs
      const log = (results: TrimResult[]): void => {
        for (const r of results) if (r.removed > 0) options.logger.info({ symbol: r.symbol, removed: r.removed, cutoffMs }, 'tca records trimmed')
      }
      // the first run comes at start-up, usually before the connection is ready (commands fail fast)
      running = whenReady(this.#redis, READY_WAIT_MS).then(async () => await this.trim(startedMs)).then(log, (err: unknown) => {
        log(err instanceof TcaStoreError ? err.trimmed : [])
        options.logger.warn({ err: { message: (err as Error).message } }, 'tca retention trim failed; retrying next period')
      }).finally(() => { running = undefined })
    }
    const timer = setInterval(run, options.everyMs)
    timer.unref()
    run()
    return {
      stop: async () => {
        stopped = true
        clearInterval(timer)
        await running
      }
    }
  }
}

function parseEntry (fields: string[]): TcaRecord | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] !== 'r') continue
    try {
      const record = JSON.parse(fields[i + 1]) as TcaRecord
      return record !== null && typeof record === 'object' && Number.isFinite(record.executedAtMs) && typeof record.symbol === 'string' ? record : undefined
    } catch {
      return undefined
    }
  }
  return undefined
}
