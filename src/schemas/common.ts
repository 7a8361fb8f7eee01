import { Type, type Static, type TSchema, type TUnsafe } from '@sinclair/typebox'
import { SYMBOL_PATTERN } from '../domain/symbol.js'
import { MODEL_NAMES, modelChoicesText } from '../models/model-kinds.js'

/**
 * Shared request/response pieces. Every number in a request has explicit bounds so that no
 * accepted input can overflow a double downstream (1e308 is a valid JSON number, not a valid qty).
 */
export const SymbolField = Type.String({ pattern: SYMBOL_PATTERN, description: 'venue symbol, e.g. BTCUSDT (upper-case letters and digits)' })
/** A string that must be one of `values`: one `enum` keyword, so a bad value is reported as rule "enum". */
export function StringEnum<const T extends readonly string[]> (values: T, description: string): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ type: 'string', enum: [...values], description })
}

export const SideField = StringEnum(['buy', 'sell'], '"buy" or "sell"')

export const QtyBase = (description = 'order quantity, base asset units') =>
  Type.Number({ exclusiveMinimum: 0, maximum: 1e12, description })
export const PriceQuote = (description: string) =>
  Type.Number({ exclusiveMinimum: 0, maximum: 1e9, description })
export const VolDaily = Type.Number({ minimum: 0, maximum: 10, description: 'volatility of daily returns, as a fraction (0.03 = 3% a day)' })
export const AdvBase = Type.Number({ exclusiveMinimum: 0, maximum: 1e15, description: 'average daily volume, base asset units' })
export const SpreadBps = Type.Number({ minimum: 0, maximum: 10_000, description: 'quoted spread (ask - bid) / mid, bps' })
export const ModelNameField = StringEnum(MODEL_NAMES, `impact model: ${modelChoicesText()}`)
export const LiquidityField = StringEnum(['taker', 'maker'], 'which fee rate applies: "taker" (default) or "maker"')

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer(),
  code: Type.String({ description: 'stable PRETRADE_ERR_* code, see README "Errors"' }),
  error: Type.String(),
  field: Type.Optional(Type.String({ description: 'path of the offending input, e.g. body/qtyBase' })),
  rule: Type.Optional(Type.String({ description: 'the rule it breaks, e.g. exclusiveMinimum or "> 0"' })),
  message: Type.String()
}, { $id: 'ErrorResponse', title: 'ErrorResponse' })
export type ErrorResponse = Static<typeof ErrorResponse>

export const Warning = Type.Object({
  code: Type.String({ description: 'stable warning code' }),
  message: Type.String()
})

/**
 * A `$ref` to a schema registered with `app.addSchema` that keeps the schema's static type, so a
 * route using it gets a typed `request.body` or reply. Emits the same `{ $ref }` as `Type.Ref`.
 */
export function typedRef<T extends TSchema> (schema: T): TUnsafe<Static<T>> {
  if (schema.$id === undefined) throw new TypeError('typedRef: the schema needs an $id')
  return Type.Unsafe<Static<T>>(Type.Ref(schema.$id))
}

/**
 * What each error status of the API means (the response's OpenAPI description, instead of
 * @fastify/swagger's "Default Response"); codes as in README "Errors".
 */
export const ERROR_DESCRIPTIONS = {
  400: 'PRETRADE_ERR_VALIDATION or PRETRADE_ERR_BAD_JSON: the request breaks the schema (an unknown field is named first); field and rule say what is wrong',
  401: 'PRETRADE_ERR_UNAUTHORIZED: missing or wrong x-api-key',
  403: 'PRETRADE_ERR_ADMIN_DISABLED: the server has no ADMIN_API_KEY, so admin endpoints are off',
  404: 'PRETRADE_ERR_VERSION_NOT_FOUND: no kept version of that symbol and model',
  409: 'PRETRADE_ERR_VERSION_EXISTS: that version already holds a different record (records are immutable)',
  413: 'PRETRADE_ERR_BODY_TOO_LARGE: the body exceeds the route\'s limit',
  415: 'PRETRADE_ERR_UNSUPPORTED_MEDIA_TYPE: the body is not application/json',
  422: 'PRETRADE_ERR_UNPROCESSABLE or PRETRADE_ERR_UNKNOWN_SYMBOL: well-formed, but the mathematics or the market state cannot price it; field and rule say why',
  429: 'PRETRADE_ERR_RATE_LIMITED: too many admin requests from this address; Retry-After says when to try again',
  503: 'PRETRADE_ERR_OVERLOADED or PRETRADE_ERR_SHUTTING_DOWN: this replica cannot take the request now; retry after Retry-After, another replica may answer'
} as const
export type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS

/** A typed `$ref` to ErrorResponse for one error status, described for OpenAPI (default: ERROR_DESCRIPTIONS). */
export function errorRef (status: ErrorStatus, description: string = ERROR_DESCRIPTIONS[status]): TUnsafe<ErrorResponse> {
  return Type.Unsafe<ErrorResponse>({ ...Type.Ref(ErrorResponse.$id as string), description })
}

/** `schema` with an OpenAPI description (a response's, where @fastify/swagger would write "Default Response"). */
export function described<T extends TSchema> (schema: T, description: string): TUnsafe<Static<T>> {
  return Type.Unsafe<Static<T>>({ ...schema, description })
}

/** The 503 of a route that depends on something besides the replica itself (a live order book, a store...). */
export function unavailableRef (what: string): TUnsafe<ErrorResponse> {
  return errorRef(503, `${what}; or ${ERROR_DESCRIPTIONS[503]}`)
}

/**
 * A request body with OpenAPI media-type examples (Swagger UI prefills the first and offers the
 * others). `allOf` keeps the `$ref` beside the examples: @fastify/swagger resolves a bare `$ref` and
 * drops its siblings. ajv is told `x-examples` is an annotation (app.ts). `schema` must be
 * registered with `app.addSchema` when it has an `$id`.
 */
export function withExamples<T extends TSchema> (schema: T, examples: Record<string, { summary: string, value: unknown }>): TUnsafe<Static<T>> {
  return Type.Unsafe<Static<T>>({ allOf: [schema.$id !== undefined ? Type.Ref(schema.$id) : schema], 'x-examples': examples })
}

/** The error statuses every POST route can return. */
export interface ErrorStatuses {
  400: TUnsafe<ErrorResponse>
  413: TUnsafe<ErrorResponse>
  415: TUnsafe<ErrorResponse>
  422: TUnsafe<ErrorResponse>
}

/**
 * The responses of a POST route: its success schema, described, and the error responses every
 * POST route can return (plus `extra`); the statuses keep their types.
 */
export function withErrors<T extends TSchema, E extends Record<number, TSchema> = Record<never, TSchema>> (ok: T, description: string, extra: E = {} as E): { 200: TUnsafe<Static<T>> } & ErrorStatuses & E {
  return { 200: described(ok, description), 400: errorRef(400), 413: errorRef(413), 415: errorRef(415), 422: errorRef(422), ...extra }
}
