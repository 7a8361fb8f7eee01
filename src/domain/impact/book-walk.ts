import { DomainRangeError } from '../errors.js'
import { fractionToBps, sideSign, type Side } from '../units.js'
import {
  addDecimal, compareDecimal, decimalToNumber, decimalToString, divideDecimal, multiplyDecimal,
  negateDecimal, numberToDecimal, parseDecimal, signDecimal, subtractDecimal, DECIMAL_ZERO, type Decimal
} from './decimal.js'

/** One price level as the venue sends it: decimal strings, e.g. { price: "84000.1", size: "0.005" }. */
export interface BookLevel {
  /** quote per base, decimal string > 0 */
  price: string
  /** base units resting at that price, decimal string > 0 */
  size: string
}

export interface BookWalkInput {
  side: Side
  /** order size in base units, finite and >= 0 (converted exactly from its shortest string) */
  qtyBase: number
  /** best first: strictly descending prices */
  bids: readonly BookLevel[]
  /** best first: strictly ascending prices */
  asks: readonly BookLevel[]
}

export interface BookWalkOptions {
  /** significant digits of the `avgPrice` string, rounded half-even (default 12) */
  avgPriceSignificantDigits?: number
}

export interface BookWalkResult {
  /** base filled against the visible book (exact value in `filledQty`) */
  filledQtyBase: number
  filledQty: string
  /** base the visible book could not fill, qtyBase - filled (exact value in `remainingQty`) */
  remainingQtyBase: number
  remainingQty: string
  /** levels touched, the last possibly only partly */
  levelsConsumed: number
  /** sum of price * size filled, quote (exact value in `notional`) */
  notionalQuote: number
  notional: string
  /** notional / filled; absent when nothing filled */
  avgPriceQuote?: number
  /** notional / filled to `avgPriceSignificantDigits` significant digits, half-even */
  avgPrice?: string
  /** (best bid + best ask) / 2 (exact value in `mid`) */
  midQuote: number
  mid: string
  /** (avg - mid) / mid * 1e4 * sideSign: positive = cost; absent when nothing filled */
  costVsMidBps?: number
  /** price of the last level touched (the worst fill); absent when nothing filled */
  worstPriceQuote?: number
  worstPrice?: string
  /** true when the visible book could not fill the whole order (remaining > 0) */
  thin: boolean
}

export const DEFAULT_AVG_PRICE_SIGNIFICANT_DIGITS = 12
/** digits kept before a quotient becomes a double: enough that only the last conversion rounds visibly */
export const NUMBER_SIGNIFICANT_DIGITS = 20
export const HALF: Decimal = { units: 5n, scale: 1 }

export type BookSide = 'bids' | 'asks'

export function fail (param: string, rule: string, message: string): never {
  throw new DomainRangeError(`order book: ${param} must be ${rule}${message}`, param, rule)
}

export function levelAt (levels: readonly BookLevel[], name: BookSide, index: number): BookLevel {
  const level = levels[index]
  if (level === null || typeof level !== 'object') fail(`${name}[${index}]`, 'an object { price, size }', '')
  return level
}

/** Parses and checks one level's price: > 0 and strictly beyond the previous level's. */
export function levelPrice (level: BookLevel, name: BookSide, index: number, previous: Decimal | undefined): Decimal {
  const param = (): string => `${name}[${index}].price` // built only for an error
  const price = parseDecimal(level.price, param)
  if (price.units === 0n) fail(param(), '> 0', '')
  if (previous !== undefined) {
    const order = compareDecimal(price, previous)
    if (name === 'asks' ? order <= 0 : order >= 0) {
      const rule = name === 'asks' ? 'strictly ascending' : 'strictly descending'
      fail(param(), rule, ` (got ${level.price} after ${decimalToString(previous)})`)
    }
  }
  return price
}

export function levelSize (level: BookLevel, name: BookSide, index: number): Decimal {
  const param = (): string => `${name}[${index}].size` // built only for an error
  const size = parseDecimal(level.size, param)
  if (size.units === 0n) fail(param(), '> 0', '')
  return size
}

function bestPrice (levels: readonly BookLevel[], name: BookSide): Decimal {
  if (!Array.isArray(levels) || levels.length === 0) fail(name, 'a non-empty array of levels', '')
  return levelPrice(levelAt(levels, name, 0), name, 0, undefined)
}

/** Best bid and ask, checked non-empty and not crossed (a locked book, bid = ask, counts as crossed). */
export function bestPrices (bids: readonly BookLevel[], asks: readonly BookLevel[]): { bid: Decimal, ask: Decimal } {
  const bid = bestPrice(bids, 'bids')
  const ask = bestPrice(asks, 'asks')
  if (compareDecimal(bid, ask) >= 0) fail('bids[0].price', 'below asks[0].price (book crossed or locked)', ` (got ${bids[0].price} >= ${asks[0].price})`)
  return { bid, ask }
}

/**
 * Checks a whole snapshot once (for a cache to call when a book arrives): both sides non-empty,
 * every price and size a plain decimal string > 0, bids strictly descending, asks strictly
 * ascending, best bid < best ask. O(levels).
 * @throws DomainRangeError naming the first bad level, e.g. `asks[7].price` (rule
 *   'strictly ascending'), or `bids[0].price` for a crossed book.
 */
export function validateOrderBook (bids: readonly BookLevel[], asks: readonly BookLevel[]): void {
  bestPrices(bids, asks)
  for (const name of ['bids', 'asks'] as const) {
    const levels = name === 'bids' ? bids : asks
    let previous: Decimal | undefined
    for (let index = 0; index < levels.length; index++) {
      const level = levelAt(levels, name, index)
      previous = levelPrice(level, name, index, previous)
      levelSize(level, name, index)
    }
  }
}

/**
 * Prices a market order by walking the visible book: a buy takes the asks from the best up, a
 * sell the bids from the best down, until the order is filled or the book runs out.
 *
 * Exact decimal arithmetic: prices and sizes are parsed from their strings, and qtyBase is taken
 * as the decimal of its shortest round-trip string (`String(qtyBase)`: 0.3 is "0.3", not the
 * binary 0.29999999999999998889...; exponent forms such as 1e-7 are expanded exactly, see
 * `numberToDecimal`). The filled quantity, remaining quantity, notional and mid are therefore
 * exact (the strings); the numbers are the nearest doubles to them. Division is used only for the
 * average price (string: `avgPriceSignificantDigits` significant digits, default 12, rounded
 * half to even; number: nearest double to a 20-digit quotient) and for costVsMidBps.
 *
 * Validation covers what the walk reads: both best prices (non-empty sides, not crossed) and
 * every level it consumes (strictly sorted, price and size > 0). Levels past the last one touched
 * are not read; call `validateOrderBook` once per snapshot to check them all.
 *
 * Costs O(levels consumed) BigInt operations; one result object, no arrays.
 * @throws DomainRangeError naming 'qtyBase' (not finite or < 0), 'side', 'bids' or 'asks'
 *   (empty), 'bids[0].price' (crossed or locked book), or the level: `asks[3].price` (not a
 *   decimal, not > 0 or not strictly sorted), `asks[3].size` (not a decimal or not > 0).
 * @example walkBook({ side: 'buy', qtyBase: 1, bids: [{ price: '100', size: '1' }],
 *   asks: [{ price: '100.1', size: '0.5' }, { price: '100.2', size: '1.5' }] })
 *   // notional "100.15", avgPrice "100.15", levelsConsumed 2, mid "100.05", thin false
 */
export function walkBook (input: BookWalkInput, options: BookWalkOptions = {}): BookWalkResult {
  const { side, qtyBase, bids, asks } = input
  if (side !== 'buy' && side !== 'sell') fail('side', "'buy' or 'sell'", ` (got ${String(side)})`)
  const significantDigits = options.avgPriceSignificantDigits ?? DEFAULT_AVG_PRICE_SIGNIFICANT_DIGITS
  const qty = numberToDecimal(qtyBase, 'qtyBase')
  if (signDecimal(qty) < 0) fail('qtyBase', 'finite and >= 0', ` (got ${qtyBase})`)
  const best = bestPrices(bids, asks)
  const mid = multiplyDecimal(addDecimal(best.bid, best.ask), HALF)

  const name: BookSide = side === 'buy' ? 'asks' : 'bids'
  const levels = side === 'buy' ? asks : bids
  let remaining = qty
  let filled = DECIMAL_ZERO
  let notional = DECIMAL_ZERO
  let worst: Decimal | undefined
  let levelsConsumed = 0
  for (let index = 0; index < levels.length && remaining.units > 0n; index++) {
    const level = levelAt(levels, name, index)
    const price = index === 0 ? (side === 'buy' ? best.ask : best.bid) : levelPrice(level, name, index, worst)
    const size = levelSize(level, name, index)
    const take = compareDecimal(size, remaining) < 0 ? size : remaining
    notional = addDecimal(notional, multiplyDecimal(price, take))
    filled = addDecimal(filled, take)
    remaining = subtractDecimal(remaining, take)
    worst = price
    levelsConsumed++
  }

  const result: BookWalkResult = {
    filledQtyBase: decimalToNumber(filled),
    filledQty: decimalToString(filled),
    remainingQtyBase: decimalToNumber(remaining),
    remainingQty: decimalToString(remaining),
    levelsConsumed,
    notionalQuote: decimalToNumber(notional),
    notional: decimalToString(notional),
    midQuote: decimalToNumber(mid),
    mid: decimalToString(mid),
    thin: remaining.units > 0n
  }
  if (worst !== undefined && filled.units > 0n) {
    result.avgPrice = decimalToString(divideDecimal(notional, filled, significantDigits))
    result.avgPriceQuote = decimalToNumber(divideDecimal(notional, filled, NUMBER_SIGNIFICANT_DIGITS))
    // sideSign * (avg - mid) / mid = sideSign * (notional - mid * filled) / (mid * filled), one division
    const midNotional = multiplyDecimal(mid, filled)
    const shortfall = subtractDecimal(notional, midNotional)
    const signedShortfall = sideSign(side) === 1 ? shortfall : negateDecimal(shortfall)
    result.costVsMidBps = fractionToBps(decimalToNumber(divideDecimal(signedShortfall, midNotional, NUMBER_SIGNIFICANT_DIGITS)))
    result.worstPriceQuote = decimalToNumber(worst)
    result.worstPrice = decimalToString(worst)
  }
  return result
}
