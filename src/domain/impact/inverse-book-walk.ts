import { fractionToBps, sideSign } from '../units.js'
import {
  DEFAULT_AVG_PRICE_SIGNIFICANT_DIGITS, HALF, NUMBER_SIGNIFICANT_DIGITS, bestPrices, fail, levelAt, levelPrice, levelSize,
  type BookSide, type BookWalkInput, type BookWalkOptions, type BookWalkResult
} from './book-walk.js'
import { addDecimal, decimalToNumber, decimalToString, divideDecimal, multiplyDecimal, numberToDecimal, signDecimal, type Decimal } from './decimal.js'

/**
 * An exact fraction `numerator / denominator` (denominator > 0), never reduced: an inverse book
 * holds `contracts / price` base units per level, which no finite decimal need express.
 */
interface Fraction { numerator: bigint, denominator: bigint }

const ZERO: Fraction = { numerator: 0n, denominator: 1n }

function fromDecimal (d: Decimal): Fraction {
  return { numerator: d.units, denominator: 10n ** BigInt(d.scale) }
}
/** a / b for decimals, b > 0 */
function quotient (a: Decimal, b: Decimal): Fraction {
  return { numerator: a.units * 10n ** BigInt(b.scale), denominator: b.units * 10n ** BigInt(a.scale) }
}
function add (a: Fraction, b: Fraction): Fraction {
  return a.denominator === b.denominator
    ? { numerator: a.numerator + b.numerator, denominator: a.denominator }
    : { numerator: a.numerator * b.denominator + b.numerator * a.denominator, denominator: a.denominator * b.denominator }
}
function subtract (a: Fraction, b: Fraction): Fraction {
  return add(a, { numerator: -b.numerator, denominator: b.denominator })
}
function times (a: Fraction, d: Decimal): Fraction {
  return { numerator: a.numerator * d.units, denominator: a.denominator * 10n ** BigInt(d.scale) }
}
function compare (a: Fraction, b: Fraction): -1 | 0 | 1 {
  const left = a.numerator * b.denominator
  const right = b.numerator * a.denominator
  return left < right ? -1 : left > right ? 1 : 0
}
/** a / b rounded half-even to `digits` significant digits (b != 0) */
function divide (a: Fraction, b: Fraction, digits: number): Decimal {
  return divideDecimal({ units: a.numerator * b.denominator, scale: 0 }, { units: a.denominator * b.numerator, scale: 0 }, digits)
}
/** the value, exact when it has at most NUMBER_SIGNIFICANT_DIGITS significant digits, else rounded half-even to them */
function toDecimal (a: Fraction): Decimal {
  return divide(a, { numerator: 1n, denominator: 1n }, NUMBER_SIGNIFICANT_DIGITS)
}

export interface InverseBookWalkResult extends BookWalkResult {
  /** contracts filled (USD for a 1 USD face contract: the filled notional in quote); the same value as `notional` */
  filledContracts: string
}

/**
 * Prices a market order on an inverse contract's book (Bybit `category=inverse`, e.g. BTCUSD): each
 * level's `size` counts contracts of 1 quote unit (USD) face, so a level of `size` contracts at
 * price p holds `size / p` base units (BTC). A buy takes the asks from the best up, a sell the bids
 * from the best down, in base units, until `qtyBase` is filled or the book runs out. At the last
 * level touched the order takes `remainingBase * p` contracts.
 *
 * The average price is the contract-weighted harmonic mean of the prices touched,
 * `sum(contracts) / sum(contracts / p)` = notional (quote) / filled base, so that
 * `avgPrice * filledQtyBase` is the quote notional paid, as for a linear book.
 *
 * Exact arithmetic as `walkBook`: prices and sizes from their strings, qtyBase from its shortest
 * round-trip string, every step on exact fractions (base per level is `contracts / p`, not a finite
 * decimal in general). The results are exact where they have at most 20 significant digits
 * (`filledQty`, `remainingQty`, `notional`, `filledContracts`; `mid` always is), else rounded half-even
 * to 20; `avgPrice` to `avgPriceSignificantDigits` (default 12). Validation as `walkBook`.
 *
 * Costs O(levels consumed) BigInt operations on fractions whose denominators grow by one price per level.
 * @throws DomainRangeError as `walkBook`: 'qtyBase', 'side', 'bids' or 'asks' (empty), 'bids[0].price'
 *   (crossed or locked), or the level read, e.g. `asks[3].size`.
 * @example walkInverseBook({ side: 'buy', qtyBase: 0.5, bids: [{ price: '49990', size: '30000' }],
 *   asks: [{ price: '50000', size: '10000' }, { price: '50010', size: '20000' }] })
 *   // 0.2 BTC at 50000 (10000 contracts), 0.3 BTC at 50010 (15003 contracts): notional "25003", avgPrice "50006"
 */
export function walkInverseBook (input: BookWalkInput, options: BookWalkOptions = {}): InverseBookWalkResult {
  const { side, qtyBase, bids, asks } = input
  if (side !== 'buy' && side !== 'sell') fail('side', "'buy' or 'sell'", ` (got ${String(side)})`)
  const significantDigits = options.avgPriceSignificantDigits ?? DEFAULT_AVG_PRICE_SIGNIFICANT_DIGITS
  const qty = numberToDecimal(qtyBase, 'qtyBase')
  if (signDecimal(qty) < 0) fail('qtyBase', 'finite and >= 0', ` (got ${qtyBase})`)
  const best = bestPrices(bids, asks)
  const mid = multiplyDecimal(addDecimal(best.bid, best.ask), HALF)

  const name: BookSide = side === 'buy' ? 'asks' : 'bids'
  const levels = side === 'buy' ? asks : bids
  let remainingBase = fromDecimal(qty)
  let contracts = ZERO
  let worst: Decimal | undefined
  let levelsConsumed = 0
  for (let index = 0; index < levels.length && remainingBase.numerator > 0n; index++) {
    const level = levelAt(levels, name, index)
    const price = index === 0 ? (side === 'buy' ? best.ask : best.bid) : levelPrice(level, name, index, worst)
    const size = levelSize(level, name, index)
    const levelBase = quotient(size, price)
    if (compare(levelBase, remainingBase) < 0) {
      contracts = add(contracts, fromDecimal(size))
      remainingBase = subtract(remainingBase, levelBase)
    } else {
      contracts = add(contracts, times(remainingBase, price))
      remainingBase = ZERO
    }
    worst = price
    levelsConsumed++
  }

  const filledBase = subtract(fromDecimal(qty), remainingBase)
  const filled = toDecimal(filledBase)
  const remaining = toDecimal(remainingBase)
  const notional = toDecimal(contracts)
  const result: InverseBookWalkResult = {
    filledQtyBase: decimalToNumber(filled),
    filledQty: decimalToString(filled),
    remainingQtyBase: decimalToNumber(remaining),
    remainingQty: decimalToString(remaining),
    levelsConsumed,
    notionalQuote: decimalToNumber(notional),
    notional: decimalToString(notional),
    filledContracts: decimalToString(notional),
    midQuote: decimalToNumber(mid),
    mid: decimalToString(mid),
    thin: remainingBase.numerator > 0n
  }
  if (worst !== undefined && filledBase.numerator > 0n) {
    result.avgPrice = decimalToString(divide(contracts, filledBase, significantDigits))
    result.avgPriceQuote = decimalToNumber(divide(contracts, filledBase, NUMBER_SIGNIFICANT_DIGITS))
    // sideSign * (avg - mid) / mid = sideSign * (contracts - mid * filled) / (mid * filled), one division
    const midNotional = times(filledBase, mid)
    const shortfall = subtract(contracts, midNotional)
    const signed = sideSign(side) === 1 ? shortfall : { numerator: -shortfall.numerator, denominator: shortfall.denominator }
    result.costVsMidBps = fractionToBps(decimalToNumber(divide(signed, midNotional, NUMBER_SIGNIFICANT_DIGITS)))
    result.worstPriceQuote = decimalToNumber(worst)
    result.worstPrice = decimalToString(worst)
  }
  return result
}
