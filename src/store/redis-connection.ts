import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis'

/**
 * One Redis connection for the registry, the leader lock and the TCA stream, built from the
 * configuration: a single server (REDIS_URL), Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME) or
 * Cluster (REDIS_CLUSTER_NODES). Chosen in that order of precedence: Cluster, then Sentinel, then
 * the plain URL. In Sentinel and Cluster mode REDIS_URL, when set, supplies only the credentials,
 * the TLS choice (`rediss://`) and (Sentinel) the database; its host is ignored.
 *
 * Failure policy: the service serves from memory and must never wait on Redis. Commands fail fast
 * while Redis is down (no offline queue: a command sent while not connected rejects at once); a
 * command in flight when the connection drops is resent once after a quick reconnect, else rejected
 * (`maxRetriesPerRequest: 1`; so an XADD is at-least-once); a command Redis does not answer within
 * `commandTimeoutMs` rejects. The connection itself reconnects forever with capped exponential
 * backoff. Callers decide what a rejected command means (see each caller's JSDoc).
 */

export type RedisClient = Redis | Cluster

/** ioredis' connection states (Redis and Cluster). */
export type RedisState = 'wait' | 'connecting' | 'connect' | 'ready' | 'reconnecting' | 'close' | 'end' | 'disconnecting'

export interface RedisConnectionConfig {
  REDIS_URL?: string
  REDIS_SENTINELS?: string
  REDIS_SENTINEL_NAME?: string
  /** password of the Sentinel processes themselves, when they have one (the data nodes use REDIS_URL's) */
  REDIS_SENTINEL_PASSWORD?: string
  REDIS_CLUSTER_NODES?: string
}

export interface RedisConnectionLogger {
  info: (obj: object, msg: string) => void
  warn: (obj: object, msg: string) => void
}

export interface RedisConnectionOptions {
  /** TCP connect timeout per attempt, ms */
  connectTimeoutMs?: number
  /** a command without a reply after this long rejects, ms (covers a frozen, still-connected Redis) */
  commandTimeoutMs?: number
  /** delay before reconnect attempt `attempt` (1, 2, ...), ms; default {@link reconnectDelayMs} */
  retryDelayMs?: (attempt: number) => number
}

/** A bad Redis setting; `variable` names the environment variable. */
export class RedisConfigError extends Error {
  readonly code = 'PRETRADE_ERR_REDIS_CONFIG'
  readonly variable: string
  constructor (variable: string, message: string) {
    super(`${variable}: ${message}`)
    this.name = 'RedisConfigError'
    this.variable = variable
  }
}

export interface HostPort { host: string, port: number }

export interface RedisUrlParts {
  host: string
  port: number
  username?: string
  password?: string
  db: number
  tls: boolean
}

const DEFAULTS = { connectTimeoutMs: 5000, commandTimeoutMs: 5000 }
const BASE_DELAY_MS = 50
const MAX_DELAY_MS = 2000

/** Capped exponential backoff: min(50 * 2^(attempt-1), 2000) ms; never gives up. */
export function reconnectDelayMs (attempt: number): number {
  return Math.min(BASE_DELAY_MS * 2 ** Math.max(0, Math.min(attempt - 1, 16)), MAX_DELAY_MS)
}

/**
 * Parses "host:port,host:port" (IPv6 hosts in brackets: "[::1]:6379").
 * @throws RedisConfigError naming `name` when the list is empty or an entry lacks a host or a port in 1..65535.
 */
export function parseHostPorts (text: string, name: string): HostPort[] {
  const entries = text.split(',').map((s) => s.trim())
  if (text.trim() === '' || entries.some((e) => e === '')) throw new RedisConfigError(name, `expected host:port[,host:port...], got ${JSON.stringify(text)}`)
  return entries.map((entry) => {
    const match = /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(entry)
    const port = match === null ? NaN : Number(match[2])
    if (match === null || !(port >= 1 && port <= 65535)) throw new RedisConfigError(name, `${JSON.stringify(entry)} is not host:port with a port in 1..65535`)
    return { host: match[1].replace(/^\[(.*)\]$/, '$1'), port }
  })
}

/**
 * Parses `redis://[[user]:password@]host[:port][/db]` or `rediss://` (TLS).
 * @throws RedisConfigError naming `name` on another scheme, a bad port or a bad database number.
 */
export function parseRedisUrl (text: string, name = 'REDIS_URL'): RedisUrlParts {
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new RedisConfigError(name, `not a URL: ${redactRedisUrl(text)}`)
  }
  if (url.protocol !== 'redis:' && url.protocol !== 'rediss:') throw new RedisConfigError(name, `scheme must be redis:// or rediss://, got ${url.protocol}//`)
  if (url.hostname === '') throw new RedisConfigError(name, 'has no host')
  const path = url.pathname.replace(/^\//, '')
  if (path !== '' && !/^\d{1,2}$/.test(path)) throw new RedisConfigError(name, `database must be a number 0..99, got ${JSON.stringify(path)}`)
  return {
    host: url.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: url.port === '' ? 6379 : Number(url.port),
    username: url.username === '' ? undefined : decodeURIComponent(url.username),
    password: url.password === '' ? undefined : decodeURIComponent(url.password),
    db: path === '' ? 0 : Number(path),
    tls: url.protocol === 'rediss:'
  }
}

/** The URL with its password replaced by `***` (for logs and error messages). Never throws. */
export function redactRedisUrl (text: string): string {
  try {
    const url = new URL(text)
    if (url.password !== '') url.password = '***'
    return url.toString()
  } catch {
    return text.replace(/\/\/[^@/]*@/, '//***@')
  }
}

/**
 * The connection the configuration asks for, connecting at once (`lazyConnect: false`), or
 * undefined when none of REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES is set (no registry).
 * Logs (never with a password) when it becomes ready and, once per outage, when it is lost; the
 * 'error' events ioredis emits while reconnecting are handled here, so they never crash the process.
 * @throws RedisConfigError naming the variable when a value is malformed, REDIS_SENTINELS comes
 *   without REDIS_SENTINEL_NAME, or Cluster is asked for a database other than 0.
 */
export function createRedis (config: RedisConnectionConfig, logger?: RedisConnectionLogger, options: RedisConnectionOptions = {}): RedisClient | undefined {
  const { REDIS_URL: urlText, REDIS_SENTINELS: sentinelsText, REDIS_CLUSTER_NODES: clusterText } = config
  if (isBlank(urlText) && isBlank(sentinelsText) && isBlank(clusterText)) return undefined
  const url = isBlank(urlText) ? undefined : parseRedisUrl(urlText as string)
  const delay = options.retryDelayMs ?? reconnectDelayMs
  const node: RedisOptions = {
    username: url?.username,
    password: url?.password,
    tls: url?.tls === true ? {} : undefined,
    connectTimeout: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs ?? DEFAULTS.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    lazyConnect: false
  }
  let client: RedisClient
  let where: object
  if (!isBlank(clusterText)) {
    const nodes = parseHostPorts(clusterText as string, 'REDIS_CLUSTER_NODES')
    if (url !== undefined && url.db !== 0) throw new RedisConfigError('REDIS_URL', `Redis Cluster has only database 0, got ${url.db}`)
    const { lazyConnect, ...redisOptions } = node
    const clusterOptions: ClusterOptions = {
      lazyConnect,
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt) => delay(attempt),
      redisOptions
    }
    client = new Cluster(nodes, clusterOptions)
    where = { mode: 'cluster', nodes }
  } else if (!isBlank(sentinelsText)) {
    const sentinels = parseHostPorts(sentinelsText as string, 'REDIS_SENTINELS')
    const name = config.REDIS_SENTINEL_NAME
    if (isBlank(name)) throw new RedisConfigError('REDIS_SENTINEL_NAME', 'required with REDIS_SENTINELS (the master group name)')
    client = new Redis({
      ...node,
      sentinels,
      name,
      db: url?.db ?? 0,
      sentinelPassword: isBlank(config.REDIS_SENTINEL_PASSWORD) ? undefined : config.REDIS_SENTINEL_PASSWORD,
      enableTLSForSentinelMode: url?.tls === true,
      sentinelRetryStrategy: (attempt) => delay(attempt),
      retryStrategy: (attempt) => delay(attempt),
      enableOfflineQueue: false
    })
    where = { mode: 'sentinel', sentinels, name }
  } else {
    const u = url as RedisUrlParts
    client = new Redis({ ...node, host: u.host, port: u.port, db: u.db, retryStrategy: (attempt) => delay(attempt), enableOfflineQueue: false })
    where = { mode: 'single', url: redactRedisUrl(urlText as string) }
  }
  watch(client, where, logger)
  return client
}

/** The connection's state: 'ready' means commands are sent; anything else means they reject at once. */
export function redisState (redis: RedisClient): RedisState {
  return redis.status as RedisState
}

/**
 * Resolves true once `redis` is ready, false after `timeoutMs` or when it ends (never rejects).
 * Commands sent before 'ready' are rejected (no offline queue), so callers that need Redis at
 * start-up wait here first.
 */
export async function whenReady (redis: RedisClient, timeoutMs: number): Promise<boolean> {
  if (redis.status === 'ready') return true
  if (redis.status === 'end') return false
  return await new Promise((resolve) => {
    const finish = (ok: boolean): void => {
      clearTimeout(timer)
      redis.off('ready', onReady)
      redis.off('end', onEnd)
      resolve(ok)
    }
    const onReady = (): void => finish(true)
    const onEnd = (): void => finish(false)
    const timer = setTimeout(() => finish(false), timeoutMs)
    timer.unref()
    redis.on('ready', onReady)
    redis.on('end', onEnd)
  })
}

/** Logs readiness and the start of each outage once (not every reconnect attempt). */
function watch (client: RedisClient, where: object, logger: RedisConnectionLogger | undefined): void {
  let everReady = false
  let warned = false
  client.on('ready', () => {
    logger?.info({ redis: where }, everReady ? 'redis reconnected' : 'redis connected')
    everReady = true
    warned = false
  })
  client.on('close', () => {
    // a deliberate quit goes close -> end in the same tick: not an outage
    process.nextTick(() => {
      if (warned || !everReady || client.status === 'end') return
      warned = true
      logger?.warn({ redis: where }, 'redis connection lost; serving from memory and reconnecting')
    })
  })
  client.on('error', (err: Error) => {
    if (warned) return
    warned = true
    logger?.warn({ redis: where, err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, everReady ? 'redis connection lost; serving from memory and reconnecting' : 'redis not reachable yet; reconnecting')
  })
  client.on('end', () => logger?.info({ redis: where }, 'redis connection closed'))
}

function isBlank (value: string | undefined): boolean {
  return value === undefined || value.trim() === ''
}
