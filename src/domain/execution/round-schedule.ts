import { DomainRangeError } from '../errors.js'
import {
  addDecimal, compareDecimal, decimalToNumber, decimalToString, negateDecimal, numberToDecimal,
  parseDecimal, roundToMultipleDecimal, signDecimal, subtractDecimal, DECIMAL_ZERO, type Decimal
} from '../impact/decimal.js'

export interface RoundedSchedule {
  /** child orders in base units, each a multiple of qtyStep (nearest doubles to `tradesExact`) */
  trades: number[]
  /** the same child orders as exact decimal strings */
  tradesExact: string[]
  /**
   * sum(tradesBase) - sum(trades), base units: what rounding left untraded. Within qtyStep / 2 of
   * zero (either sign) unless the whole rounded total is below minOrderQty, when it is the total.
   */
  residualBase: number
}

function fail (param: string, rule: string, got: string): never {
  throw new DomainRangeError(`roundTradesToStep: ${param} must be ${rule} (got ${got})`, param, rule)
}

function positiveDecimal (value: string | number, param: string): Decimal {
  const parsed = typeof value === 'number' ? numberToDecimal(value, param) : parseDecimal(value, param)
  if (signDecimal(parsed) <= 0) fail(param, '> 0', String(value))
  return parsed
}

/**
 * Rounds an execution schedule's child orders to the venue's lot size (Bybit `qtyStep`) without
 * drift: child k is round(C_k) - round(C_(k-1)), where C_k is the exact cumulative sum of the
 * first k inputs and round() is to the nearest multiple of qtyStep, ties to the even multiple.
 * The remainder of each child is thus carried into the next, the rounded children sum exactly to
 * round(sum of inputs), and the rounded cumulative stays within qtyStep / 2 of the original at
 * every step. A parent whose total is a multiple of qtyStep is traded in full even when the
 * float inputs sum to 9.999999999999998 instead of 10. Arithmetic is exact decimal: each input is
 * taken as the decimal of its shortest round-trip string (see `numberToDecimal`).
 *
 * minOrderQty (optional, e.g. Bybit `minOrderQty`): a child that would be non-zero but below it
 * is not sent; it becomes 0 and its quantity is merged forward into the next child. The last
 * child absorbs all that is carried; if it is still non-zero but below minOrderQty it is merged
 * back into the last non-zero child instead. If the whole rounded total is below minOrderQty,
 * nothing can be sent: every child is 0 and residualBase is the whole total. With minOrderQty
 * the rounded cumulative may lag the original by up to minOrderQty + qtyStep / 2.
 *
 * Signs: a sell schedule has trades >= 0, a buy schedule (Almgren-Chriss with X < 0) trades <= 0;
 * a buy is rounded as the mirror of a sell. Mixed signs are rejected. O(N) BigInt operations.
 * @param tradesBase child orders in base units, all >= 0 or all <= 0, finite
 * @param qtyStep lot size, > 0: a decimal string as the venue sends it ("0.001") or a number
 * @param minOrderQty smallest child order allowed, base units, >= 0 (number or decimal string)
 * @throws DomainRangeError naming `tradesBase[i]` (not finite, or of the opposite sign to an
 *   earlier trade), 'qtyStep' (not a decimal > 0) or 'minOrderQty' (not a decimal >= 0).
 * @example roundTradesToStep([0.3334, 0.3333, 0.3333], '0.01').tradesExact // ["0.33", "0.34", "0.33"]
 */
export function roundTradesToStep (tradesBase: readonly number[], qtyStep: string | number, minOrderQty?: number | string): RoundedSchedule {
  if (!Array.isArray(tradesBase)) throw new TypeError('roundTradesToStep: tradesBase must be an array')
  const step = positiveDecimal(qtyStep, 'qtyStep')
  let minimum = DECIMAL_ZERO
  if (minOrderQty !== undefined) {
    minimum = typeof minOrderQty === 'number' ? numberToDecimal(minOrderQty, 'minOrderQty') : parseDecimal(minOrderQty, 'minOrderQty')
    if (signDecimal(minimum) < 0) fail('minOrderQty', '>= 0', String(minOrderQty))
  }

  // exact inputs, mirrored to >= 0 for a buy schedule
  let direction: -1 | 0 | 1 = 0
  const magnitudes = new Array<Decimal>(tradesBase.length)
  for (let index = 0; index < tradesBase.length; index++) {
    const trade = numberToDecimal(tradesBase[index], `tradesBase[${index}]`)
    const sign = signDecimal(trade)
    if (sign !== 0) {
      if (direction !== 0 && sign !== direction) fail(`tradesBase[${index}]`, 'of the same sign as the earlier trades', String(tradesBase[index]))
      direction = sign
    }
    magnitudes[index] = sign < 0 ? negateDecimal(trade) : trade
  }

  const children = new Array<Decimal>(tradesBase.length)
  let cumulative = DECIMAL_ZERO // exact sum of the inputs so far
  let sent = DECIMAL_ZERO // sum of the children emitted so far
  let lastNonZero = -1
  for (let index = 0; index < magnitudes.length; index++) {
    cumulative = addDecimal(cumulative, magnitudes[index])
    let child = subtractDecimal(roundToMultipleDecimal(cumulative, step), sent)
    const isLast = index === magnitudes.length - 1
    if (!isLast && signDecimal(child) > 0 && compareDecimal(child, minimum) < 0) child = DECIMAL_ZERO // merged forward
    if (isLast && signDecimal(child) > 0 && compareDecimal(child, minimum) < 0) {
      if (lastNonZero >= 0) {
        children[lastNonZero] = addDecimal(children[lastNonZero], child) // merged back
        sent = addDecimal(sent, child)
        child = DECIMAL_ZERO
      } else {
        child = DECIMAL_ZERO // the whole total is below minOrderQty: nothing can be sent
      }
    }
    children[index] = child
    sent = addDecimal(sent, child)
    if (signDecimal(child) > 0) lastNonZero = index
  }

  const trades = new Array<number>(children.length)
  const tradesExact = new Array<string>(children.length)
  for (let index = 0; index < children.length; index++) {
    const child = direction < 0 ? negateDecimal(children[index]) : children[index]
    trades[index] = decimalToNumber(child)
    tradesExact[index] = decimalToString(child)
  }
  const residual = subtractDecimal(cumulative, sent)
  return { trades, tradesExact, residualBase: decimalToNumber(direction < 0 ? negateDecimal(residual) : residual) }
}
