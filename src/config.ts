import { envSchema } from 'env-schema'
import { Type, type Static } from '@sinclair/typebox'

/**
 * Every setting the service reads, from environment variables. Validated once at start-up
 * (a bad value stops the process with a message naming the variable), then frozen.
 */
const FeeRate = (description: string) => Type.Optional(Type.Number({ minimum: 0, maximum: 0.01, description }))

export const ConfigSchema = Type.Object({
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0' }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  MARKET_STATE_PATH: Type.String({ minLength: 1, default: 'embedded/market-state.json', description: 'embedded market state per symbol (JSON), relative to the working directory' }),
  MODELS_PATH: Type.String({ minLength: 1, default: 'embedded/models.json', description: 'embedded impact models (JSON), relative to the working directory' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 4 * 1024 * 1024 }),
  TAKER_FEE_RATE_LINEAR: FeeRate('override of the taker fee rate (fraction) for linear contracts'),
  MAKER_FEE_RATE_LINEAR: FeeRate('override of the maker fee rate (fraction) for linear contracts'),
  TAKER_FEE_RATE_INVERSE: FeeRate('override of the taker fee rate (fraction) for inverse contracts'),
  MAKER_FEE_RATE_INVERSE: FeeRate('override of the maker fee rate (fraction) for inverse contracts'),
  TAKER_FEE_RATE_SPOT: FeeRate('override of the taker fee rate (fraction) for spot'),
  MAKER_FEE_RATE_SPOT: FeeRate('override of the maker fee rate (fraction) for spot')
}, { additionalProperties: true })

export type Config = Readonly<Static<typeof ConfigSchema>>

/**
 * Reads and validates the configuration from `env` (process.env by default).
 * @throws Error naming the variable and the rule it breaks.
 */
export function loadConfig (env: Record<string, string | undefined> = process.env): Config {
  try {
    const config = envSchema<Static<typeof ConfigSchema>>({ schema: ConfigSchema, data: env, env: false, dotenv: false })
    return Object.freeze(config)
  } catch (err) {
    throw new Error(`invalid configuration: ${(err as Error).message}`)
  }
}
