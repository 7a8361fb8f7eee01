import { envSchema } from 'env-schema'
import { validate as isCronExpression } from 'node-cron'
import { Type, type Static, type TUnsafe } from '@sinclair/typebox'
import { SYMBOL_PATTERN } from './domain/symbol.js'
import { mustBeOneOf } from './errors.js'

/** One symbol inside the comma-separated SYMBOLS list: SYMBOL_PATTERN without its anchors. */
const SYMBOL_LIST_ITEM = SYMBOL_PATTERN.slice(1, -1)

/**
 * Every setting the service reads, from environment variables. Validated once at start-up
 * (a bad value stops the process with a message naming the variable), then frozen.
 */
/** A string out of a fixed set: one `enum` keyword, so a bad value reads "must be one of: a, b, c" (not one "must be equal to constant" per value). */
function OneOf<const T extends readonly string[]> (values: T, options: { default: T[number], description?: string }): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options })
}

const FeeRate = (description: string) => Type.Optional(Type.Number({ minimum: 0, maximum: 0.01, description }))

export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  LOG_LEVEL: OneOf(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { default: 'info' }),
  MARKET_STATE_PATH: Type.String({ minLength: 1, default: 'embedded/market-state.json', description: 'embedded market state per symbol (JSON), relative to the working directory' }),
  MODELS_PATH: Type.String({ minLength: 1, default: 'embedded/models.json', description: 'embedded impact models (JSON), relative to the working directory' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 4 * 1024 * 1024 }),
  MARKET_DATA_SOURCE: OneOf(['embedded', 'bybit'], { default: 'embedded', description: 'embedded: serve on the shipped defaults only; bybit: refresh market state from Bybit v5 and run the recalibration job' }),
  BYBIT_REST_URL: Type.String({ minLength: 1, default: 'https://api.bybit.com', description: 'Bybit v5 REST base URL' }),
  BYBIT_WS_URL: Type.String({ minLength: 1, default: 'wss://stream.bybit.com/v5/public/linear', description: 'Bybit v5 public WebSocket (publicTrade topics)' }),
  BYBIT_CATEGORY: OneOf(['linear', 'inverse', 'spot'], { default: 'linear' }),
  BYBIT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 120_000, default: 5000 }),
  BYBIT_MAX_RETRIES: Type.Integer({ minimum: 0, maximum: 20, default: 4 }),
  SYMBOLS: Type.String({ pattern: `^${SYMBOL_LIST_ITEM}(,${SYMBOL_LIST_ITEM})*$`, default: 'BTCUSDT,ETHUSDT', description: 'comma-separated symbols whose market state and models are kept live' }),
  MARKET_REFRESH_CRON: Type.String({ minLength: 9, default: '*/1 * * * *', description: 'node-cron schedule of the market-state refresh' }),
  MARKET_STATE_MAX_AGE_MS: Type.Integer({ minimum: 1000, maximum: 3_650 * 86_400_000, default: 3_600_000, description: 'estimates priced on a market state older than this carry a MARKET_STATE_STALE warning (default 1 hour; the live refresh runs every minute)' }),
  VOL_WINDOW_MINUTES: Type.Integer({ minimum: 60, maximum: 43_200, default: 1440, description: 'trailing 1-minute bars for volDaily' }),
  ADV_WINDOW_MINUTES: Type.Integer({ minimum: 60, maximum: 43_200, default: 10_080, description: 'trailing 1-minute bars for advBase (default 7 days)' }),
  BOOK_DEPTH: Type.Integer({ minimum: 1, maximum: 1000, default: 200, description: 'order-book levels fetched for method "book"' }),
  BOOK_MAX_AGE_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 1000, description: 'an order-book snapshot older than this is fetched again' }),
  TAPE_MAX_TRADES: Type.Integer({ minimum: 1000, maximum: 5_000_000, default: 500_000, description: 'trades kept per symbol from the public trade tape' }),
  RECALIBRATE_CRON: Type.String({ minLength: 9, default: '17 * * * *', description: 'node-cron schedule of the recalibration job' }),
  RECALIBRATE_WINDOW_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 5, description: 'k: minutes per impact sample window' }),
  RECALIBRATE_MIN_SAMPLES: Type.Integer({ minimum: 10, maximum: 1_000_000, default: 200, description: 'fewer samples than this keeps the published model' }),
  RECALIBRATE_GAP_MINUTES: Type.Integer({ minimum: 0, maximum: 10_080, default: 60, description: 'gap between the train and test periods of the walk-forward split' }),
  GATE_BUCKET_MINUTES: Type.Integer({ minimum: 1, maximum: 10_080, default: 1440, description: 'length of the "days" the gate compares models on' }),
  TRAIN_REST_MS: Type.Integer({ minimum: 0, maximum: 10_000, default: 45, description: 'rest of the training thread after each 5 ms of training: 45 keeps it to a tenth of the time, so serving keeps the CPU; 0 trains flat out (tests)' }),
  TCA_STORE_PATH: Type.String({ minLength: 1, default: 'var/tca-records.jsonl', description: 'append-only file of accepted TCA records (the job reads them)' }),
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'Redis for the model registry, TCA records and the leader lock (redis://[:password@]host:port[/db]); absent: no registry, embedded and in-process models only' })),
  REDIS_PREFIX: Type.String({ pattern: '^[A-Za-z0-9:_.-]{1,64}$', default: 'pretrade:', description: 'prefix of every Redis key' }),
  REDIS_SENTINELS: Type.Optional(Type.String({ pattern: '^[^,:]+:[0-9]+(,[^,:]+:[0-9]+)*$', description: 'Redis Sentinel host:port list (with REDIS_SENTINEL_NAME)' })),
  REDIS_SENTINEL_NAME: Type.Optional(Type.String({ minLength: 1 })),
  REDIS_SENTINEL_PASSWORD: Type.Optional(Type.String({ minLength: 1, description: 'password of the Sentinel processes themselves (data nodes use the one in REDIS_URL); never logged' })),
  REDIS_CLUSTER_NODES: Type.Optional(Type.String({ pattern: '^[^,:]+:[0-9]+(,[^,:]+:[0-9]+)*$', description: 'Redis Cluster seed nodes host:port list' })),
  MODEL_KEEP_VERSIONS: Type.Integer({ minimum: 1, maximum: 1000, default: 10, description: 'versions kept per symbol and model; older ones are removed when a new one is published' }),
  REGISTRY_CHECK_MS: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 30_000, description: 'periodic re-read of the active versions (catches a missed notification)' }),
  RECALIBRATE_RELAY_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 120_000, description: 'how long POST /v1/admin/recalibrate on a replica without the leader lock waits for the leader to run the job and answer (then 503)' }),
  LEADER_LOCK_TTL_MS: Type.Integer({ minimum: 1000, maximum: 3_600_000, default: 30_000, description: 'expiry of the job\'s leader lock; another replica takes over within one period' }),
  TCA_RETENTION_DAYS: Type.Number({ exclusiveMinimum: 0, maximum: 3650, default: 90, description: 'TCA records older than this are trimmed from the Redis stream (each trim is logged)' }),
  TCA_TRIM_EVERY_MS: Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 3_600_000, description: 'how often TCA records older than TCA_RETENTION_DAYS are trimmed (each removal is logged)' }),
  ADMIN_RATE_LIMIT_MAX: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 30, description: 'admin requests (any key, right or wrong) one client address may make per ADMIN_RATE_LIMIT_WINDOW_MS on one replica; more get 429 with Retry-After' }),
  ADMIN_RATE_LIMIT_WINDOW_MS: Type.Integer({ minimum: 1000, maximum: 86_400_000, default: 60_000 }),
  MAX_EVENT_LOOP_DELAY_MS: Type.Number({ minimum: 0, maximum: 60_000, default: 500, description: 'mean event-loop delay over one sample above which requests are shed with 503 and Retry-After (0: never shed)' }),
  PRESSURE_SAMPLE_MS: Type.Integer({ minimum: 10, maximum: 60_000, default: 500, description: 'how often the event-loop delay is sampled for load shedding' }),
  PRESSURE_RETRY_AFTER_SECONDS: Type.Integer({ minimum: 1, maximum: 3600, default: 2, description: 'Retry-After of a shed request' }),
  SLOW_REQUEST_MS: Type.Number({ minimum: 0, maximum: 600_000, default: 1000, description: 'a request slower than this is logged (warn) with its request id, route and status (0: never)' }),
  CORS_ORIGINS: Type.Optional(Type.String({ pattern: '^(\\*|https?://[^,\\s]+(,https?://[^,\\s]+)*)$', description: 'origins allowed to call the API from a browser: "*" or a comma-separated list of http(s) origins; absent: no CORS headers (browsers block cross-origin calls)' })),
  ADMIN_API_KEY: Type.Optional(Type.String({ minLength: 16, description: 'key for admin endpoints (x-api-key header), at least 16 characters; absent or empty: admin endpoints are disabled' })),
  TAKER_FEE_RATE_LINEAR: FeeRate('override of the taker fee rate (fraction) for linear contracts'),
  MAKER_FEE_RATE_LINEAR: FeeRate('override of the maker fee rate (fraction) for linear contracts'),
  TAKER_FEE_RATE_INVERSE: FeeRate('override of the taker fee rate (fraction) for inverse contracts'),
  MAKER_FEE_RATE_INVERSE: FeeRate('override of the maker fee rate (fraction) for inverse contracts'),
  TAKER_FEE_RATE_SPOT: FeeRate('override of the taker fee rate (fraction) for spot'),
  MAKER_FEE_RATE_SPOT: FeeRate('override of the maker fee rate (fraction) for spot')
}, { additionalProperties: true })

export type Config = Readonly<Static<typeof ConfigSchema>>

/** The symbols named by SYMBOLS, de-duplicated, in order. */
export function configuredSymbols (config: Config): string[] {
  return [...new Set(config.SYMBOLS.split(','))]
}

interface EnvSchemaError { instancePath: string, keyword: string, message?: string, params: Record<string, unknown> }

/** env-schema's ajv errors as "env/LOG_LEVEL must be one of: fatal, error, ..."; other errors keep their message. */
function configErrorText (err: Error & { errors?: unknown }): string {
  if (!Array.isArray(err.errors)) return err.message
  return (err.errors as EnvSchemaError[]).map((e) => {
    const message = e.keyword === 'enum' && Array.isArray(e.params.allowedValues) ? mustBeOneOf(e.params.allowedValues) : e.message ?? 'is invalid'
    return `env${e.instancePath} ${message}`
  }).join(', ')
}

/**
 * Variables whose empty value means "not set". docker-compose.yml passes `${ADMIN_API_KEY:-}`, an
 * empty string when the operator set none: that disables the admin endpoints, as an absent key does.
 */
const EMPTY_MEANS_UNSET = ['ADMIN_API_KEY'] as const

/** `env` without the EMPTY_MEANS_UNSET variables that are set to the empty string. */
function withoutEmptyUnsettable (env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env }
  for (const key of EMPTY_MEANS_UNSET) if (out[key] === '') delete out[key]
  return out
}

/**
 * Reads and validates the configuration from `env` (process.env by default).
 * @throws Error naming the variable and the rule it breaks.
 */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  try {
    const config = envSchema<Static<typeof ConfigSchema>>({ schema: ConfigSchema, data: withoutEmptyUnsettable(env), env: false, dotenv: false })
    for (const key of ['MARKET_REFRESH_CRON', 'RECALIBRATE_CRON'] as const) {
      if (!isCronExpression(config[key])) throw new Error(`${key} must be a valid cron expression (got ${JSON.stringify(config[key])})`)
    }
    return Object.freeze(config)
  } catch (err) {
    throw new Error(`invalid configuration: ${configErrorText(err as Error & { errors?: unknown })}`)
  }
}
