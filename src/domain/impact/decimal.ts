import { DomainRangeError } from '../errors.js'

/**
 * Exact decimal arithmetic on scaled BigInts, for prices and sizes that arrive as decimal strings
 * (Bybit sends "84000.1", "0.005"). A value is `units / 10^scale`; `scale` is a non-negative
 * integer. Sums, differences and products are exact; division is the only rounding operation
 * (`divideDecimal`, half-even to a stated number of significant digits).
 */
export interface Decimal {
  /** the digits as an integer, sign included */
  readonly units: bigint
  /** number of digits after the decimal point, >= 0 */
  readonly scale: number
}

/** Longest decimal string accepted (bounds the BigInt work a hostile input can cause). */
export const MAX_DECIMAL_LENGTH = 64

export const DECIMAL_ZERO: Decimal = { units: 0n, scale: 0 }

const EXPONENT = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/

/** 10^0 .. 10^(2 * MAX_DECIMAL_LENGTH): enough for a product of two parsed decimals */
const POWERS_OF_TEN: bigint[] = []
for (let exponent = 0, power = 1n; exponent <= 2 * MAX_DECIMAL_LENGTH; exponent++, power *= 10n) POWERS_OF_TEN.push(power)

function powerOfTen (exponent: number): bigint {
  return exponent < POWERS_OF_TEN.length ? POWERS_OF_TEN[exponent] : 10n ** BigInt(exponent)
}

/**
 * Parses a plain decimal string: digits, optionally a point followed by digits
 * ("84000.1", "0.005", "7"). Rejected: empty strings, exponents ("1e5"), a leading "+", a bare
 * point (".5", "5."), whitespace, and a leading "-" unless `signed` is true.
 * O(length).
 * @param text the string to parse
 * @param field the input field, named in the error (e.g. `bids[3].price`); a function is called
 *   only when the error is thrown, sparing hot loops the string
 * @param signed allow a leading "-" (default false)
 * @throws DomainRangeError naming `field` when the string is not a plain decimal or is longer
 *   than MAX_DECIMAL_LENGTH.
 * @example parseDecimal('84000.10', 'price') // { units: 8400010n, scale: 2 }
 */
export function parseDecimal (text: string, field: string | (() => string), signed = false): Decimal {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_DECIMAL_LENGTH) {
    field = typeof field === 'function' ? field() : field
    const got = typeof text === 'string' ? `a string of length ${text.length}` : typeof text
    throw new DomainRangeError(`parseDecimal: ${field} must be a decimal string of 1 to ${MAX_DECIMAL_LENGTH} characters (got ${got})`, field, 'decimal string')
  }
  // one pass over the characters (no regex, no substrings): digits [ "." digits ], with an
  // optional leading "-" when signed; up to 15 digits accumulate exactly in a double
  const negative = signed && text.charCodeAt(0) === 45 // '-'
  let index = negative ? 1 : 0
  let digits = 0
  let small = 0
  let point = -1
  for (; index < text.length; index++) {
    const code = text.charCodeAt(index)
    if (code >= 48 && code <= 57) {
      small = small * 10 + (code - 48)
      digits++
    } else if (code === 46 && point < 0 && digits > 0) { // '.'
      point = digits
    } else {
      digits = -1
      break
    }
  }
  if (digits <= 0 || point === digits) {
    field = typeof field === 'function' ? field() : field
    const rule = signed ? 'decimal string like "-12.5" (no exponent)' : 'unsigned decimal string like "12.5" (no sign, no exponent)'
    throw new DomainRangeError(`parseDecimal: ${field} must be an ${rule} (got ${JSON.stringify(text)})`, field, 'decimal string')
  }
  const scale = point < 0 ? 0 : digits - point
  const units = digits <= 15 ? BigInt(small) : BigInt(point < 0 ? text.slice(negative ? 1 : 0) : text.slice(negative ? 1 : 0).replace('.', ''))
  return { units: negative ? -units : units, scale }
}

/**
 * The exact decimal value of the shortest round-trip string of a finite number (`String(x)`),
 * i.e. the decimal a person typed: 0.1 -> "0.1", not the binary value 0.1000000000000000055...
 * Exponent forms (`String(1e-7)` is "1e-7", `String(1e21)` is "1e+21") are expanded exactly by
 * moving the point, keeping the same significant digits.
 * @throws DomainRangeError naming `field` when x is not finite.
 * @example numberToDecimal(1.5e-7, 'qtyBase') // { units: 15n, scale: 8 }
 */
export function numberToDecimal (x: number, field: string): Decimal {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new DomainRangeError(`numberToDecimal: ${field} must be a finite number (got ${String(x)})`, field, 'finite')
  }
  const text = String(x)
  if (!text.includes('e')) return parseDecimal(text, field, true)
  const match = EXPONENT.exec(text)
  /* c8 ignore next 3 -- String() of a finite number is always one of the two forms */
  if (match === null) {
    throw new DomainRangeError(`numberToDecimal: ${field} has an unexpected form ${text}`, field, 'finite')
  }
  const fraction = match[3] ?? ''
  const digits = BigInt(match[2] + fraction)
  const exponent = Number(match[4]) - fraction.length
  const signedDigits = match[1] === '-' ? -digits : digits
  return exponent >= 0
    ? { units: signedDigits * powerOfTen(exponent), scale: 0 }
    : { units: signedDigits, scale: -exponent }
}

/** `value` re-expressed with `scale` digits after the point; `scale` must be >= value.scale. */
function rescale (value: Decimal, scale: number): bigint {
  return scale === value.scale ? value.units : value.units * powerOfTen(scale - value.scale)
}

/** a + b, exact. */
export function addDecimal (a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale)
  return { units: rescale(a, scale) + rescale(b, scale), scale }
}

/** a - b, exact. */
export function subtractDecimal (a: Decimal, b: Decimal): Decimal {
  const scale = Math.max(a.scale, b.scale)
  return { units: rescale(a, scale) - rescale(b, scale), scale }
}

/** a * b, exact (the scales add). */
export function multiplyDecimal (a: Decimal, b: Decimal): Decimal {
  return { units: a.units * b.units, scale: a.scale + b.scale }
}

/** -1, 0 or +1 as a <, =, > b (exact, whatever the scales). */
export function compareDecimal (a: Decimal, b: Decimal): -1 | 0 | 1 {
  const scale = Math.max(a.scale, b.scale)
  const left = rescale(a, scale)
  const right = rescale(b, scale)
  return left < right ? -1 : left > right ? 1 : 0
}

/** -1, 0 or +1, the sign of a. */
export function signDecimal (a: Decimal): -1 | 0 | 1 {
  return a.units < 0n ? -1 : a.units > 0n ? 1 : 0
}

/** -a, exact. */
export function negateDecimal (a: Decimal): Decimal {
  return { units: -a.units, scale: a.scale }
}

function digitCount (value: bigint): number {
  return value === 0n ? 1 : (value < 0n ? -value : value).toString().length
}

/**
 * Integer quotient of numerator / denominator (both > 0) rounded half to even.
 */
function divideRoundHalfEven (numerator: bigint, denominator: bigint): bigint {
  const quotient = numerator / denominator
  const twiceRemainder = 2n * (numerator - quotient * denominator)
  if (twiceRemainder > denominator || (twiceRemainder === denominator && quotient % 2n === 1n)) return quotient + 1n
  return quotient
}

/**
 * numerator / denominator rounded half to even (IEEE 754 "roundTiesToEven", banker's rounding)
 * to `significantDigits` significant digits. The only rounding operation of this module.
 * O(digits^2) BigInt work.
 * @throws DomainRangeError naming 'denominator' when it is zero, or 'significantDigits' unless it
 *   is an integer in [1, 100].
 * @example decimalToString(divideDecimal(parseDecimal('2', 'a'), parseDecimal('3', 'b'), 5)) // "0.66667"
 */
export function divideDecimal (numerator: Decimal, denominator: Decimal, significantDigits: number): Decimal {
  if (!(Number.isInteger(significantDigits) && significantDigits >= 1 && significantDigits <= 100)) {
    throw new DomainRangeError(`divideDecimal: significantDigits must be an integer in [1, 100] (got ${significantDigits})`, 'significantDigits', 'integer in [1, 100]')
  }
  if (denominator.units === 0n) throw new DomainRangeError('divideDecimal: denominator must not be zero', 'denominator', 'non-zero')
  if (numerator.units === 0n) return DECIMAL_ZERO
  const negative = (numerator.units < 0n) !== (denominator.units < 0n)
  // |numerator| / |denominator| = top / bottom with both integers (the scales cancel into them)
  const top = (numerator.units < 0n ? -numerator.units : numerator.units) * powerOfTen(denominator.scale)
  const bottom = (denominator.units < 0n ? -denominator.units : denominator.units) * powerOfTen(numerator.scale)
  // top / bottom lies in (10^(e-1), 10^(e+1)) with e = digits(top) - digits(bottom), so after
  // shifting by significantDigits - e decimal places the integer quotient has significantDigits
  // or significantDigits + 1 digits; in the second case shift one place less
  let shift = significantDigits - (digitCount(top) - digitCount(bottom))
  let scaledTop = shift >= 0 ? top * powerOfTen(shift) : top
  let scaledBottom = shift >= 0 ? bottom : bottom * powerOfTen(-shift)
  if (digitCount(scaledTop / scaledBottom) > significantDigits) {
    shift -= 1
    scaledTop = shift >= 0 ? top * powerOfTen(shift) : top
    scaledBottom = shift >= 0 ? bottom : bottom * powerOfTen(-shift)
  }
  const rounded = divideRoundHalfEven(scaledTop, scaledBottom)
  const units = negative ? -rounded : rounded
  return shift >= 0 ? { units, scale: shift } : { units: units * powerOfTen(-shift), scale: 0 }
}

/**
 * value rounded to the nearest multiple of step, ties to the even multiple (half-even, symmetric
 * for negative values). Exact.
 * @throws DomainRangeError naming 'step' unless step > 0.
 * @example decimalToString(roundToMultipleDecimal(parseDecimal('1.0005', 'q'), parseDecimal('0.001', 's'))) // "1"
 */
export function roundToMultipleDecimal (value: Decimal, step: Decimal): Decimal {
  if (step.units <= 0n) throw new DomainRangeError('roundToMultipleDecimal: step must be > 0', 'step', '> 0')
  const scale = Math.max(value.scale, step.scale)
  const valueUnits = rescale(value, scale)
  const stepUnits = rescale(step, scale)
  const multiples = divideRoundHalfEven(valueUnits < 0n ? -valueUnits : valueUnits, stepUnits)
  return { units: (valueUnits < 0n ? -multiples : multiples) * stepUnits, scale }
}

/**
 * Plain decimal string without trailing zeros after the point, never an exponent:
 * { units: 1001500n, scale: 4 } -> "100.15", 0 -> "0", -0.5 -> "-0.5".
 */
export function decimalToString (value: Decimal): string {
  if (value.units === 0n) return '0'
  const negative = value.units < 0n
  let digits = (negative ? -value.units : value.units).toString()
  let scale = value.scale
  while (scale > 0 && digits.endsWith('0')) {
    digits = digits.slice(0, -1)
    scale -= 1
  }
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0')
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`
  }
  return negative ? `-${digits}` : digits
}

/**
 * The nearest double to the exact decimal (JavaScript's string-to-number conversion is
 * correctly rounded). -0 never results.
 */
export function decimalToNumber (value: Decimal): number {
  return value.units === 0n ? 0 : Number(decimalToString(value))
}
