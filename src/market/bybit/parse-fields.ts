/**
 * Field readers for `parse.ts`: each checks one JSON value and throws a BybitParseError naming its
 * path (`result.list[3][4] (close)`). Decimal strings are checked against a strict pattern before
 * conversion, because `Number('')` is 0 and `Number(' 1 ')` is 1.
 */
import { BybitParseError } from './errors.js'

const DECIMAL = /^-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$/
const INTEGER = /^-?\d+$/

export type Bound = 'any' | 'nonNegative' | 'positive'

export function fail (endpoint: string, path: string, rule: string): never {
  throw new BybitParseError(endpoint, path, rule)
}

function describe (value: unknown): string {
  if (value === undefined) return 'missing'
  const text = JSON.stringify(value)
  return `got ${text === undefined ? typeof value : text.length > 40 ? `${text.slice(0, 40)}...` : text}`
}

export function objectAt (value: unknown, endpoint: string, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(endpoint, path, `must be an object (${describe(value)})`)
  return value as Record<string, unknown>
}

export function arrayAt (value: unknown, endpoint: string, path: string): unknown[] {
  if (!Array.isArray(value)) fail(endpoint, path, `must be an array (${describe(value)})`)
  return value
}

export function stringAt (value: unknown, endpoint: string, path: string): string {
  if (typeof value !== 'string' || value === '') fail(endpoint, path, `must be a non-empty string (${describe(value)})`)
  return value
}

export function booleanAt (value: unknown, endpoint: string, path: string): boolean {
  if (typeof value !== 'boolean') fail(endpoint, path, `must be a boolean (${describe(value)})`)
  return value
}

function checkBound (value: number, bound: Bound, endpoint: string, path: string): number {
  if (!Number.isFinite(value)) fail(endpoint, path, 'must be finite')
  if (bound === 'positive' && !(value > 0)) fail(endpoint, path, `must be > 0 (got ${value})`)
  if (bound === 'nonNegative' && !(value >= 0)) fail(endpoint, path, `must be >= 0 (got ${value})`)
  return value
}

/** A decimal string (`"84047.8"`), returned as number. */
export function decimalAt (value: unknown, endpoint: string, path: string, bound: Bound = 'any'): number {
  if (typeof value !== 'string' || !DECIMAL.test(value)) fail(endpoint, path, `must be a decimal string (${describe(value)})`)
  return checkBound(Number(value), bound, endpoint, path)
}

/** A decimal string, or undefined when the field is absent or `""` (Bybit's "not applicable"). */
export function optionalDecimalAt (value: unknown, endpoint: string, path: string, bound: Bound = 'any'): number | undefined {
  if (value === undefined || value === '') return undefined
  return decimalAt(value, endpoint, path, bound)
}

/**
 * An integer (ms timestamp, update id, sequence): a JSON number, or a decimal-integer string
 * (Bybit sends trade `time` as a string; ccxt-recorded fixtures stringify `ts`/`u`/`seq`).
 */
export function integerAt (value: unknown, endpoint: string, path: string, bound: Bound = 'nonNegative'): number {
  let parsed: number
  if (typeof value === 'number') parsed = value
  else if (typeof value === 'string' && INTEGER.test(value)) parsed = Number(value)
  else fail(endpoint, path, `must be an integer (${describe(value)})`)
  if (!Number.isSafeInteger(parsed)) fail(endpoint, path, `must be a safe integer (got ${String(value)})`)
  return checkBound(parsed, bound, endpoint, path)
}

export function optionalIntegerAt (value: unknown, endpoint: string, path: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined
  return integerAt(value, endpoint, path)
}

/** A JSON number that is an integer (envelope `retCode` / `time`: strings are rejected). */
export function jsonIntegerAt (value: unknown, endpoint: string, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value)) fail(endpoint, path, `must be a JSON integer (${describe(value)})`)
  return value
}
