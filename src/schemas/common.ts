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

/** A typed `$ref` to ErrorResponse, for a route's error statuses. */
export function errorRef (): TUnsafe<ErrorResponse> {
  return typedRef(ErrorResponse)
}

/** The error statuses every POST route can return. */
export interface ErrorStatuses {
  400: TUnsafe<ErrorResponse>
  413: TUnsafe<ErrorResponse>
  415: TUnsafe<ErrorResponse>
  422: TUnsafe<ErrorResponse>
}

/** Adds the error responses every POST route can return to a success schema; the statuses keep their types. */
export function withErrors<T extends TSchema, E extends Record<number, TSchema> = Record<never, TSchema>> (ok: T, extra: E = {} as E): { 200: T } & ErrorStatuses & E {
  const ref = errorRef()
  return { 200: ok, 400: ref, 413: ref, 415: ref, 422: ref, ...extra }
}
