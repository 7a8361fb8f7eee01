import { createHash } from 'node:crypto'
import type { Cluster, Redis } from 'ioredis'
import { whenReady } from '../store/redis-connection.js'
import { isSymbol, SYMBOL_PATTERN } from '../domain/symbol.js'
import { MODEL_NAMES, type ModelName, type ModelRecord } from './impact-model.js'

/**
 * The model registry in Redis: immutable versioned records, one active pointer per symbol and
 * model, the last `keepVersions` versions kept, a pub/sub notice on every change. Key layout
 * (every key shares the `{registry}` hash tag, so the multi-key Lua scripts also run on Cluster):
 * `${prefix}{registry}:symbols` SET, `:active:${symbol}` HASH name -> version,
 * `:record:${symbol}:${name}:${version}` STRING record JSON, `:versions:${symbol}:${name}` ZSET
 * version by createdAtMs, `:activations:${symbol}:${name}` STREAM of {version} in activation order
 * (the entry ID's time is Redis's clock when the pointer moved; the last ACTIVATION_LOG_LENGTH),
 * `:leader:fence` the leader's fencing token; channel `${prefix}models:changed`.
 * Scripts build trimmed record keys from a prefix argument: on Cluster that is allowed because
 * they share the hash tag (same slot) with the declared keys.
 */

export const REGISTRY_ERROR_CODES = {
  REGISTRY_ERR_INVALID_RECORD: 'the record failed validation (or a stored one changed under us); nothing was written',
  REGISTRY_ERR_INVALID_ARGUMENT: 'a symbol, name, version or fencing token is malformed; nothing was sent',
  REGISTRY_ERR_VERSION_EXISTS: 'a different record is already stored under that version (records are immutable)',
  REGISTRY_ERR_NOT_FOUND: 'no kept record of that symbol, name and version',
  REGISTRY_ERR_STALE_LEADER: 'the fencing token is not the current leader:fence value; nothing was written',
  REGISTRY_ERR_BAD_MESSAGE: 'a models:changed message was not {symbol, name, version}; it was ignored',
  REGISTRY_ERR_REDIS: 'Redis failed or refused the command (cause keeps the ioredis error); a write may or may not have happened'
} as const
export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_CODES

/** Every error the registry throws or reports; match on `code`. */
export class RegistryError extends Error {
  override readonly name = 'RegistryError'
  readonly code: RegistryErrorCode
  constructor (code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }
}

export interface ModelChange { symbol: string, name: ModelName, version: string }
export interface RecordError { symbol: string, name: string, version: string, error: string }
export interface FencingOptions {
  /** the token from the leader lock; the write happens only if it still equals leader:fence */
  fencingToken?: number
}

export interface ModelRegistryOptions {
  redis: Redis | Cluster
  /** prepended to every key and the channel, e.g. "pretrade:" */
  prefix: string
  /** versions kept per symbol and model, the active one included; >= 1, default 10 */
  keepVersions?: number
  /** throws on an invalid record, naming the path (pass `modelFromRecord`) */
  validate (record: unknown, path: string): unknown
}

/** how long subscribe() waits for its new connection; after that it fails and the caller retries later */
const SUBSCRIBER_READY_MS = 2000

const VERSION = /^[A-Za-z0-9._:-]{1,128}$/

/** Activations kept per symbol and model in the activation log (a rollback adds one too). */
export const ACTIVATION_LOG_LENGTH = 1000

/**
 * Publish (KEYS fence, record, versions, active, symbols, activations; ARGV token or '', record
 * JSON, name, version, createdAtMs, symbol, keepVersions, record key prefix, channel, message,
 * activation log length). Checks the fence, stores the record (same content again: no-op; other
 * content: VERSION_EXISTS), indexes it, makes it active (logging the activation unless it already
 * was), trims to the newest keepVersions (never the active one, deleting the trimmed records) and
 * publishes. Returns {status, removed versions}.
 */
const PUBLISH_LUA = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return {'STALE_LEADER', {}} end
local existing = redis.call('GET', KEYS[2])
if existing and existing ~= ARGV[2] then return {'VERSION_EXISTS', {}} end
if not existing then redis.call('SET', KEYS[2], ARGV[2]) end
redis.call('ZADD', KEYS[3], ARGV[5], ARGV[4])
if redis.call('HGET', KEYS[4], ARGV[3]) ~= ARGV[4] then
  redis.call('XADD', KEYS[6], 'MAXLEN', ARGV[11], '*', 'version', ARGV[4])
end
redis.call('HSET', KEYS[4], ARGV[3], ARGV[4])
redis.call('SADD', KEYS[5], ARGV[6])
local removed = {}
local excess = redis.call('ZCARD', KEYS[3]) - tonumber(ARGV[7])
if excess > 0 then
  for _, v in ipairs(redis.call('ZRANGE', KEYS[3], 0, excess)) do
    if v ~= ARGV[4] and #removed < excess then
      redis.call('ZREM', KEYS[3], v)
      redis.call('DEL', ARGV[8] .. v)
      removed[#removed + 1] = v
    end
  end
end
redis.call('PUBLISH', ARGV[9], ARGV[10])
return {'OK', removed}`

/**
 * Rollback (KEYS fence, record, active, symbols, activations; ARGV token or '', sha1 of the record
 * JSON the caller validated, name, version, symbol, channel, message, activation log length).
 * Moves the pointer only if the record still exists and is the one validated (logging the
 * activation unless it already was active), then publishes. Returns a status.
 */
const ROLLBACK_LUA = `
if ARGV[1] ~= '' and redis.call('GET', KEYS[1]) ~= ARGV[1] then return 'STALE_LEADER' end
local record = redis.call('GET', KEYS[2])
if not record then return 'NOT_FOUND' end
if redis.sha1hex(record) ~= ARGV[2] then return 'CHANGED' end
if redis.call('HGET', KEYS[3], ARGV[3]) ~= ARGV[4] then
  redis.call('XADD', KEYS[5], 'MAXLEN', ARGV[8], '*', 'version', ARGV[4])
end
redis.call('HSET', KEYS[3], ARGV[3], ARGV[4])
redis.call('SADD', KEYS[4], ARGV[5])
redis.call('PUBLISH', ARGV[6], ARGV[7])
return 'OK'`

/**
 * Read all active records in one atomic snapshot (KEYS symbols; ARGV '${prefix}{registry}:').
 * Returns flat 5-tuples symbol, name, version, status ('ok' | 'missing' | 'bad'), JSON or error.
 * Wrong-typed keys are reported as 'bad', never fail the whole read. Not marked readOnly, so on
 * Cluster it runs on the master and never reads a lagging replica.
 */
const READ_ACTIVE_LUA = `
local out = {}
local function add (s, n, v, status, body)
  out[#out + 1] = s; out[#out + 1] = n; out[#out + 1] = v; out[#out + 1] = status; out[#out + 1] = body
end
local symbols = redis.pcall('SMEMBERS', KEYS[1])
if symbols.err then add('', '', '', 'bad', symbols.err) return out end
for _, s in ipairs(symbols) do
  local ptr = redis.pcall('HGETALL', ARGV[1] .. 'active:' .. s)
  if ptr.err then add(s, '', '', 'bad', ptr.err) else
    for i = 1, #ptr, 2 do
      local rec = redis.pcall('GET', ARGV[1] .. 'record:' .. s .. ':' .. ptr[i] .. ':' .. ptr[i + 1])
      if type(rec) == 'table' then add(s, ptr[i], ptr[i + 1], 'bad', rec.err)
      elseif not rec then add(s, ptr[i], ptr[i + 1], 'missing', '')
      else add(s, ptr[i], ptr[i + 1], 'ok', rec) end
    end
  end
end
return out`

interface RegistryCommands {
  pretradeRegistryPublish: (...args: string[]) => Promise<[string, string[]]>
  pretradeRegistryRollback: (...args: string[]) => Promise<string>
  pretradeRegistryReadActive: (...args: string[]) => Promise<string[]>
}

/** JSON with object keys sorted, so equal records always serialise to equal strings. */
export function canonicalJson (value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => v !== null && typeof v === 'object' && !Array.isArray(v)
    ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0))
    : v)
}

/**
 * Versioned impact-model records in Redis. Every method rejects with a RegistryError: REDIS when
 * Redis fails (for publish and rollback the write may then have happened; repeating a publish
 * of the same record is safe), the other codes when the request itself is refused.
 */
export class ModelRegistry {
  readonly #redis: Redis | Cluster
  readonly #cmd: RegistryCommands
  readonly #prefix: string
  readonly #keep: number
  readonly #validate: (record: unknown, path: string) => unknown

  /** @throws TypeError / RangeError naming a bad option */
  constructor (options: ModelRegistryOptions) {
    const keep = options.keepVersions ?? 10
    if (!Number.isSafeInteger(keep) || keep < 1) throw new RangeError(`ModelRegistry: keepVersions must be an integer >= 1, got ${keep}`)
    if (typeof options.prefix !== 'string') throw new TypeError('ModelRegistry: prefix must be a string')
    if (typeof options.validate !== 'function') throw new TypeError('ModelRegistry: validate must be a function')
    this.#redis = options.redis
    this.#prefix = options.prefix
    this.#keep = keep
    this.#validate = options.validate.bind(options)
    this.#redis.defineCommand('pretradeRegistryPublish', { numberOfKeys: 6, lua: PUBLISH_LUA })
    this.#redis.defineCommand('pretradeRegistryRollback', { numberOfKeys: 5, lua: ROLLBACK_LUA })
    this.#redis.defineCommand('pretradeRegistryReadActive', { numberOfKeys: 1, lua: READ_ACTIVE_LUA })
    this.#cmd = this.#redis as unknown as RegistryCommands
  }

  /** the pub/sub channel of change notices */
  get channel (): string { return `${this.#prefix}models:changed` }

  #key (suffix: string): string { return `${this.#prefix}{registry}:${suffix}` }

  /**
   * Validates the record, then in one Lua script stores it, makes it active, trims old versions
   * and notifies every replica.
   * @throws RegistryError INVALID_RECORD, INVALID_ARGUMENT, VERSION_EXISTS, STALE_LEADER, REDIS
   */
  async publish (symbol: string, record: ModelRecord, opts: FencingOptions = {}): Promise<{ version: string, removedVersions: string[] }> {
    checkSymbol(symbol)
    const token = fence(opts)
    try {
      this.#validate(record, `${symbol}.record`)
    } catch (err) {
      throw new RegistryError('REGISTRY_ERR_INVALID_RECORD', (err as Error).message, { cause: err })
    }
    const { name, version, createdAtMs } = record
    if (!VERSION.test(version)) throw new RegistryError('REGISTRY_ERR_INVALID_RECORD', `${symbol}.record.version must match ${String(VERSION)}`)
    checkName(name)
    const change = JSON.stringify({ symbol, name, version })
    const [status, removed] = await this.#call(() => this.#cmd.pretradeRegistryPublish(
      this.#key('leader:fence'), this.#key(`record:${symbol}:${name}:${version}`), this.#key(`versions:${symbol}:${name}`),
      this.#key(`active:${symbol}`), this.#key('symbols'), this.#key(`activations:${symbol}:${name}`),
      token, canonicalJson(record), name, version, String(createdAtMs), symbol, String(this.#keep),
      this.#key(`record:${symbol}:${name}:`), this.channel, change, String(ACTIVATION_LOG_LENGTH)))
    if (status === 'STALE_LEADER') throw staleLeader(opts)
    if (status === 'VERSION_EXISTS') throw new RegistryError('REGISTRY_ERR_VERSION_EXISTS', `${symbol} ${name} version ${version} already holds a different record`)
    return { version, removedVersions: removed }
  }

  /**
   * Makes a kept version active again: reads and validates the stored record, then a Lua script
   * moves the pointer only if that same record is still stored, and notifies every replica.
   * @throws RegistryError NOT_FOUND, INVALID_RECORD, INVALID_ARGUMENT, STALE_LEADER, REDIS
   */
  async rollback (symbol: string, name: ModelName, version: string, opts: FencingOptions = {}): Promise<void> {
    checkSymbol(symbol)
    checkName(name)
    if (!VERSION.test(version)) throw new RegistryError('REGISTRY_ERR_INVALID_ARGUMENT', `version must match ${String(VERSION)}`)
    const token = fence(opts)
    const recordKey = this.#key(`record:${symbol}:${name}:${version}`)
    const json = await this.#call(async () => await this.#redis.get(recordKey))
    if (json === null) throw notFound(symbol, name, version)
    const problem = this.#check(json, symbol, name, version)
    if (problem !== undefined) throw new RegistryError('REGISTRY_ERR_INVALID_RECORD', `stored record ${symbol} ${name} ${version} is invalid: ${problem}`)
    const sha1 = createHash('sha1').update(json).digest('hex')
    const status = await this.#call(() => this.#cmd.pretradeRegistryRollback(
      this.#key('leader:fence'), recordKey, this.#key(`active:${symbol}`), this.#key('symbols'), this.#key(`activations:${symbol}:${name}`),
      token, sha1, name, version, symbol, this.channel, JSON.stringify({ symbol, name, version }), String(ACTIVATION_LOG_LENGTH)))
    if (status === 'STALE_LEADER') throw staleLeader(opts)
    if (status === 'NOT_FOUND') throw notFound(symbol, name, version)
    if (status === 'CHANGED') throw new RegistryError('REGISTRY_ERR_INVALID_RECORD', `stored record ${symbol} ${name} ${version} changed while it was validated`)
  }

  /**
   * Every symbol's active records, validated, from one atomic snapshot. A missing, corrupt or
   * mislabelled record goes to `errors` and is left out; never throws for bad data.
   * @throws RegistryError REDIS when Redis fails
   */
  async readActive (): Promise<{ sets: Map<string, Partial<Record<ModelName, ModelRecord>>>, errors: RecordError[] }> {
    const flat = await this.#call(() => this.#cmd.pretradeRegistryReadActive(this.#key('symbols'), this.#key('')))
    const sets = new Map<string, Partial<Record<ModelName, ModelRecord>>>()
    const errors: RecordError[] = []
    for (let i = 0; i + 4 < flat.length; i += 5) {
      const [symbol, name, version, status, body] = flat.slice(i, i + 5) as [string, string, string, string, string]
      const problem = status === 'ok' ? this.#check(body, symbol, name, version) : status === 'missing' ? 'the active pointer names a missing record' : `unreadable key: ${body}`
      if (problem !== undefined) {
        errors.push({ symbol, name, version, error: problem })
        continue
      }
      const set = sets.get(symbol) ?? {}
      set[name as ModelName] = JSON.parse(body) as ModelRecord
      sets.set(symbol, set)
    }
    return { sets, errors }
  }

  /** Kept versions of one symbol's model, newest first. @throws RegistryError INVALID_ARGUMENT, REDIS */
  async versions (symbol: string, name: ModelName): Promise<Array<{ version: string, createdAtMs: number, active: boolean }>> {
    checkSymbol(symbol)
    checkName(name)
    const replies = await this.#call(async () => await this.#redis.multi()
      .zrevrange(this.#key(`versions:${symbol}:${name}`), 0, -1, 'WITHSCORES')
      .hget(this.#key(`active:${symbol}`), name)
      .exec())
    const failed = replies?.find(([err]) => err !== null)
    if (replies === null || failed !== undefined) throw new RegistryError('REGISTRY_ERR_REDIS', `versions of ${symbol} ${name} could not be read`, { cause: failed?.[0] })
    const scored = replies[0][1] as string[]
    const active = replies[1][1] as string | null
    const out = []
    for (let i = 0; i + 1 < scored.length; i += 2) out.push({ version: scored[i], createdAtMs: Number(scored[i + 1]), active: scored[i] === active })
    return out
  }

  /**
   * When each version of one symbol's model became active, oldest first, from the activation log
   * (`fromMs` is Redis's clock at the publish or rollback), with the record of every version still
   * kept, validated. An activation whose record was trimmed, or is corrupt, has no `record`: the
   * caller decides what served then.
   * @throws RegistryError INVALID_ARGUMENT, REDIS
   */
  async activations (symbol: string, name: ModelName): Promise<Array<{ version: string, fromMs: number, record?: ModelRecord }>> {
    checkSymbol(symbol)
    checkName(name)
    const entries = await this.#call(async () => await this.#redis.xrange(this.#key(`activations:${symbol}:${name}`), '-', '+'))
    const log = entries.map(([id, fields]) => ({ version: fields[fields.indexOf('version') + 1] ?? '', fromMs: Number(id.slice(0, id.indexOf('-'))) }))
    const versions = [...new Set(log.map((a) => a.version))].filter((v) => VERSION.test(v))
    const bodies = versions.length === 0 ? [] : await this.#call(async () => await this.#redis.mget(versions.map((v) => this.#key(`record:${symbol}:${name}:${v}`))))
    const records = new Map<string, ModelRecord>()
    versions.forEach((version, i) => {
      const body = bodies[i]
      if (body !== null && body !== undefined && this.#check(body, symbol, name, version) === undefined) records.set(version, JSON.parse(body) as ModelRecord)
    })
    return log.map((a) => {
      const record = records.get(a.version)
      return record === undefined ? a : { ...a, record }
    })
  }

  /**
   * Calls `onChange` for every change notice, on a duplicate connection. Notices sent while that
   * connection is down are lost, so after each reconnect `onResubscribed` is called once the
   * channel is subscribed again: a re-read started then misses nothing (a later change is
   * notified). Malformed messages and connection errors go to `onError`.
   * @throws RegistryError REDIS if the subscription cannot be made (the connection is closed)
   */
  async subscribe (onChange: (msg: ModelChange) => void, onError: (err: unknown) => void = () => {}, onResubscribed: () => void = () => {}): Promise<{ close: () => Promise<void> }> {
    const sub = this.#redis.duplicate()
    sub.on('error', onError)
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return
      const change = parseChange(message)
      if (change === undefined) onError(new RegistryError('REGISTRY_ERR_BAD_MESSAGE', `ignored malformed ${channel} message: ${message.slice(0, 200)}`))
      else onChange(change)
    })
    try {
      // the service's connections have no offline queue (they fail fast while Redis is down), so a
      // SUBSCRIBE sent while the new connection is still connecting would be refused: wait for it
      if (!await whenReady(sub, SUBSCRIBER_READY_MS)) throw new Error(`the subscriber connection was not ready within ${SUBSCRIBER_READY_MS} ms`)
      await sub.subscribe(this.channel)
    } catch (err) {
      sub.disconnect()
      throw new RegistryError('REGISTRY_ERR_REDIS', `cannot subscribe to ${this.channel}: ${(err as Error).message}`, { cause: err })
    }
    // every later 'ready' is a reconnect; ioredis re-subscribes by itself, but only the reply to a
    // SUBSCRIBE says the channel is live again (a duplicate SUBSCRIBE is a no-op in Redis)
    sub.on('ready', () => { sub.subscribe(this.channel).then(() => onResubscribed(), onError) })
    return { close: async () => { await sub.quit().catch(() => { sub.disconnect() }) } }
  }

  /** Why a stored record JSON is unusable in this slot, or undefined if it is valid. */
  #check (json: string, symbol: string, name: string, version: string): string | undefined {
    try {
      const record = JSON.parse(json) as Partial<ModelRecord> | null
      this.#validate(record, `${symbol}.${name}`)
      if (record?.name !== name || record.version !== version) return `record is ${String(record?.name)} ${String(record?.version)}, expected ${name} ${version}`
      return undefined
    } catch (err) {
      return (err as Error).message
    }
  }

  async #call<T> (fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      if (err instanceof RegistryError) throw err
      throw new RegistryError('REGISTRY_ERR_REDIS', `model registry: ${(err as Error).message}`, { cause: err })
    }
  }
}

function checkSymbol (symbol: string): void {
  if (!isSymbol(symbol)) throw new RegistryError('REGISTRY_ERR_INVALID_ARGUMENT', `symbol must match ${SYMBOL_PATTERN}, got ${String(symbol)}`)
}
function checkName (name: string): void {
  if (!(MODEL_NAMES as readonly string[]).includes(name)) throw new RegistryError('REGISTRY_ERR_INVALID_ARGUMENT', `name must be one of ${MODEL_NAMES.join(', ')}, got ${String(name)}`)
}
function fence (opts: FencingOptions): string {
  if (opts.fencingToken === undefined) return ''
  if (!Number.isSafeInteger(opts.fencingToken)) throw new RegistryError('REGISTRY_ERR_INVALID_ARGUMENT', `fencingToken must be an integer, got ${opts.fencingToken}`)
  return String(opts.fencingToken)
}
function staleLeader (opts: FencingOptions): RegistryError {
  return new RegistryError('REGISTRY_ERR_STALE_LEADER', `fencing token ${String(opts.fencingToken)} is not the current leader's; nothing was written`)
}
function notFound (symbol: string, name: string, version: string): RegistryError {
  return new RegistryError('REGISTRY_ERR_NOT_FOUND', `no kept version ${version} of ${symbol} ${name}`)
}

/** A models:changed message, or undefined when it is not {symbol, name, version}. */
function parseChange (message: string): ModelChange | undefined {
  try {
    const m = JSON.parse(message) as Record<string, unknown> | null
    if (typeof m?.symbol !== 'string' || typeof m.name !== 'string' || typeof m.version !== 'string') return undefined
    if (!isSymbol(m.symbol) || !(MODEL_NAMES as readonly string[]).includes(m.name) || !VERSION.test(m.version)) return undefined
    return { symbol: m.symbol, name: m.name as ModelName, version: m.version }
  } catch {
    return undefined
  }
}
