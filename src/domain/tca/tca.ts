import { DomainRangeError } from '../errors.js'
import { failRange, requireFiniteOutput, requireNonNegative, requirePositive } from '../guards.js'
import { fractionToBps, sideSign, type Side } from '../units.js'

/** One executed trade, with its market context already resolved by the caller. */
export interface TcaTradeInput {
  side: Side
  /** executed quantity, base units, > 0 */
  qtyBase: number
  /** average execution price, quote per base, > 0 */
  execPriceQuote: number
  /** arrival (decision) price, > 0 */
  arrivalPriceQuote: number
  /** market VWAP over the execution window, > 0; optional */
  vwapQuote?: number
  /** quoted spread ask - bid at arrival, quote per base, >= 0 */
  spreadQuote: number
  /** mid price at arrival, > 0 (from bid/ask, else the arrival price; see resolveSpreadAndMid) */
  midQuote: number
  /** fees paid in quote (>= 0); negative is a rebate. Default 0 */
  feeQuote?: number
  /** average daily volume, base units, > 0 (the trade's own, not a model default) */
  advBase: number
  /** daily volatility fraction, >= 0 (the trade's own) */
  volDaily: number
}

/**
 * Expected impact cost of the trade as a fraction of the arrival price (positive = cost).
 * @param participation qtyBase / advBase of the trade
 * @param volDaily the trade's daily volatility fraction
 * @param relSpread spreadQuote / midQuote (the full quoted spread as a fraction)
 */
export type ImpactCostEstimator = (participation: number, volDaily: number, relSpread: number, sideSign: 1 | -1) => number

/**
 * TCA of one trade. Positive always means cost, for buys and sells alike.
 * - notionalQuote = qtyBase * execPriceQuote
 * - implementationShortfall = (exec - arrival) * sign / arrival; quote = (exec - arrival) * sign * qty
 * - vwapSlippage = (exec - vwap) * sign / vwap; quote = (exec - vwap) * sign * qty; null without vwapQuote
 * - spreadCost = spread / (2 * mid); quote = that fraction * qty * mid = half the spread * qty
 *   (already part of the shortfall; reported as a breakdown, not added to the total)
 * - fee = feeQuote / notionalQuote
 * - estimatedImpact = model cost fraction; quote = fraction * qty * arrival
 * - totalCost = implementationShortfall + fee (bps: IS bps + fee bps; quote: IS quote + fee quote)
 */
export interface TcaTradeResult {
  side: Side
  notionalQuote: number
  participation: number
  implementationShortfallBps: number
  implementationShortfallQuote: number
  vwapSlippageBps: number | null
  vwapSlippageQuote: number | null
  spreadCostBps: number
  spreadCostQuote: number
  feeBps: number
  feeQuote: number
  estimatedImpactBps: number
  estimatedImpactQuote: number
  totalCostBps: number
  totalCostQuote: number
}

/**
 * Spread and mid for TCA: from bid and ask when both are given (spread = ask - bid,
 * mid = (bid + ask) / 2, which take precedence over spreadQuote); otherwise spreadQuote with
 * the arrival price as mid.
 * @throws DomainRangeError naming 'bidQuote'/'askQuote' (one without the other, <= 0,
 *   or ask < bid), 'spreadQuote' (missing without bid/ask, or < 0) or 'arrivalPriceQuote'.
 */
export function resolveSpreadAndMid (quotes: { bidQuote?: number, askQuote?: number, spreadQuote?: number, arrivalPriceQuote: number }): { spreadQuote: number, midQuote: number } {
  const fn = 'resolveSpreadAndMid'
  const { bidQuote, askQuote, spreadQuote, arrivalPriceQuote } = quotes
  if (bidQuote !== undefined || askQuote !== undefined) {
    if (bidQuote === undefined) failRange(fn, 'bidQuote', 'given together with askQuote', bidQuote)
    if (askQuote === undefined) failRange(fn, 'askQuote', 'given together with bidQuote', askQuote)
    requirePositive(fn, 'bidQuote', bidQuote)
    requirePositive(fn, 'askQuote', askQuote)
    if (askQuote < bidQuote) failRange(fn, 'askQuote', '>= bidQuote', askQuote)
    return { spreadQuote: askQuote - bidQuote, midQuote: bidQuote / 2 + askQuote / 2 }
  }
  requirePositive(fn, 'arrivalPriceQuote', arrivalPriceQuote)
  if (spreadQuote === undefined) failRange(fn, 'spreadQuote', 'given when bidQuote and askQuote are not', spreadQuote)
  requireNonNegative(fn, 'spreadQuote', spreadQuote)
  return { spreadQuote, midQuote: arrivalPriceQuote }
}

/**
 * Post-trade TCA of one trade (definitions on TcaTradeResult). Buys and sells are symmetric:
 * a sell mirrored around the arrival price has the same bps. O(1).
 * Reference: Perold (1988) "The implementation shortfall"; Kissell (2013) "The Science of
 * Algorithmic Trading and Portfolio Management", ch. 3.
 * @param estimateImpactCost the impact model, called with the trade's own advBase and volDaily
 * @throws DomainRangeError naming the input field when it is non-finite or out of range, or
 *   when a derived cost overflows.
 * @throws RangeError if estimateImpactCost returns a non-finite number (a model bug).
 */
export function analyseTrade (trade: TcaTradeInput, estimateImpactCost: ImpactCostEstimator): TcaTradeResult {
  const fn = 'analyseTrade'
  const { side, qtyBase, execPriceQuote, arrivalPriceQuote, vwapQuote, spreadQuote, midQuote, advBase, volDaily } = trade
  if (side !== 'buy' && side !== 'sell') failRange(fn, 'side', "'buy' or 'sell'", side)
  requirePositive(fn, 'qtyBase', qtyBase)
  requirePositive(fn, 'execPriceQuote', execPriceQuote)
  requirePositive(fn, 'arrivalPriceQuote', arrivalPriceQuote)
  if (vwapQuote !== undefined) requirePositive(fn, 'vwapQuote', vwapQuote)
  requireNonNegative(fn, 'spreadQuote', spreadQuote)
  requirePositive(fn, 'midQuote', midQuote)
  const feeQuote = trade.feeQuote ?? 0
  if (!Number.isFinite(feeQuote)) failRange(fn, 'feeQuote', 'finite (negative = rebate)', feeQuote)
  requirePositive(fn, 'advBase', advBase)
  requireNonNegative(fn, 'volDaily', volDaily)

  const sign = sideSign(side)
  const notionalQuote = qtyBase * execPriceQuote
  const arrivalNotionalQuote = qtyBase * arrivalPriceQuote
  requireFiniteOutput(fn, 'qtyBase', notionalQuote + arrivalNotionalQuote + qtyBase * midQuote, qtyBase)
  const participation = qtyBase / advBase
  requireFiniteOutput(fn, 'qtyBase', participation, qtyBase)

  const shortfallFraction = (execPriceQuote - arrivalPriceQuote) * sign / arrivalPriceQuote
  requireFiniteOutput(fn, 'execPriceQuote', shortfallFraction, execPriceQuote)
  const shortfallQuote = (execPriceQuote - arrivalPriceQuote) * sign * qtyBase

  let vwapSlippageBps: number | null = null
  let vwapSlippageQuote: number | null = null
  if (vwapQuote !== undefined) {
    const slippageFraction = (execPriceQuote - vwapQuote) * sign / vwapQuote
    requireFiniteOutput(fn, 'vwapQuote', slippageFraction, vwapQuote)
    vwapSlippageQuote = (execPriceQuote - vwapQuote) * sign * qtyBase
    requireFiniteOutput(fn, 'vwapQuote', vwapSlippageQuote, vwapQuote)
    vwapSlippageBps = fractionToBps(slippageFraction)
    requireFiniteOutput(fn, 'vwapQuote', vwapSlippageBps, vwapQuote)
  }

  const relSpread = spreadQuote / midQuote
  requireFiniteOutput(fn, 'spreadQuote', relSpread, spreadQuote)
  const spreadCostFraction = relSpread / 2
  const spreadCostQuote = spreadQuote / 2 * qtyBase
  requireFiniteOutput(fn, 'spreadQuote', spreadCostQuote, spreadQuote)

  const feeFraction = feeQuote / notionalQuote
  requireFiniteOutput(fn, 'feeQuote', feeFraction, feeQuote)

  const impactFraction = estimateImpactCost(participation, volDaily, relSpread, sign)
  if (!Number.isFinite(impactFraction)) {
    throw new RangeError(`${fn}: estimateImpactCost returned ${impactFraction} for participation ${participation}, volDaily ${volDaily}, relSpread ${relSpread}`)
  }
  const estimatedImpactQuote = impactFraction * arrivalNotionalQuote
  requireFiniteOutput(fn, 'qtyBase', estimatedImpactQuote, qtyBase)

  const totalCostBps = fractionToBps(shortfallFraction) + fractionToBps(feeFraction)
  const totalCostQuote = shortfallQuote + feeQuote
  requireFiniteOutput(fn, 'feeQuote', totalCostQuote, feeQuote)
  // bps are fractions times 1e4: a fraction near the float limit overflows only there
  requireFiniteOutput(fn, 'arrivalPriceQuote', fractionToBps(shortfallFraction) + shortfallQuote, arrivalPriceQuote)
  requireFiniteOutput(fn, 'spreadQuote', fractionToBps(spreadCostFraction), spreadQuote)
  requireFiniteOutput(fn, 'feeQuote', fractionToBps(feeFraction) + totalCostBps, feeQuote)
  requireFiniteOutput(fn, 'qtyBase', fractionToBps(impactFraction), qtyBase)
  return {
    side,
    notionalQuote,
    participation,
    implementationShortfallBps: fractionToBps(shortfallFraction),
    implementationShortfallQuote: shortfallQuote,
    vwapSlippageBps,
    vwapSlippageQuote,
    spreadCostBps: fractionToBps(spreadCostFraction),
    spreadCostQuote,
    feeBps: fractionToBps(feeFraction),
    feeQuote,
    estimatedImpactBps: fractionToBps(impactFraction),
    estimatedImpactQuote,
    totalCostBps,
    totalCostQuote
  }
}

/**
 * analyseTrade over a list; a DomainRangeError from trade i is rethrown with param `${i}/${param}`
 * (a route prefixes it, e.g. 'body/trades/' + param).
 * @throws DomainRangeError as analyseTrade, with the index in `param`.
 */
export function analyseTrades (trades: readonly TcaTradeInput[], estimateImpactCost: ImpactCostEstimator): TcaTradeResult[] {
  return trades.map((trade, index) => {
    try {
      return analyseTrade(trade, estimateImpactCost)
    } catch (err) {
      if (err instanceof DomainRangeError) throw new DomainRangeError(`trades[${index}]: ${err.message}`, `${index}/${err.param}`, err.rule)
      throw err
    }
  })
}

/**
 * A set of trades. Bps fields are averages weighted by notionalQuote (exec notional), null when
 * no trade contributes; Quote fields are sums. vwapSlippage uses only the trades that have a
 * VWAP (vwapTradeCount, vwapNotionalQuote). shortfallMinusImpact = actual implementation
 * shortfall minus the model's estimated impact (positive = the trades cost more than the model said).
 */
export interface TcaSummary {
  tradeCount: number
  buyCount: number
  sellCount: number
  totalNotionalQuote: number
  implementationShortfallBps: number | null
  implementationShortfallQuote: number
  vwapTradeCount: number
  vwapNotionalQuote: number
  vwapSlippageBps: number | null
  vwapSlippageQuote: number
  spreadCostBps: number | null
  spreadCostQuote: number
  feeBps: number | null
  feeQuote: number
  estimatedImpactBps: number | null
  estimatedImpactQuote: number
  totalCostBps: number | null
  totalCostQuote: number
  shortfallMinusImpactBps: number | null
  shortfallMinusImpactQuote: number
}

function weightedAverage (weightedSum: number, weight: number): number | null {
  return weight > 0 ? weightedSum / weight : null
}

/**
 * Aggregates analyseTrade results (definitions on TcaSummary). O(n).
 * @throws TypeError if results is not an array.
 * @throws DomainRangeError naming 'trades' when a notional-weighted sum overflows.
 */
export function summariseTca (results: readonly TcaTradeResult[]): TcaSummary {
  if (!Array.isArray(results)) throw new TypeError('summariseTca: results must be an array of TcaTradeResult')
  let buyCount = 0; let notional = 0; let vwapCount = 0; let vwapNotional = 0
  let isW = 0; let isQ = 0; let vwapW = 0; let vwapQ = 0; let spreadW = 0; let spreadQ = 0
  let feeW = 0; let feeQ = 0; let impactW = 0; let impactQ = 0; let totalW = 0; let totalQ = 0
  for (const r of results) {
    const w = r.notionalQuote
    if (r.side === 'buy') buyCount++
    notional += w
    isW += w * r.implementationShortfallBps; isQ += r.implementationShortfallQuote
    if (r.vwapSlippageBps !== null && r.vwapSlippageQuote !== null) {
      vwapCount++; vwapNotional += w
      vwapW += w * r.vwapSlippageBps; vwapQ += r.vwapSlippageQuote
    }
    spreadW += w * r.spreadCostBps; spreadQ += r.spreadCostQuote
    feeW += w * r.feeBps; feeQ += r.feeQuote
    impactW += w * r.estimatedImpactBps; impactQ += r.estimatedImpactQuote
    totalW += w * r.totalCostBps; totalQ += r.totalCostQuote
  }
  const sums = [notional, isW, isQ, vwapW, vwapQ, spreadW, spreadQ, feeW, feeQ, impactW, impactQ, totalW, totalQ, isW - impactW, isQ - impactQ]
  if (!sums.every(Number.isFinite)) failRange('summariseTca', 'trades', 'notionals and costs whose sums stay finite', 'an overflowing sum')
  const isAvg = weightedAverage(isW, notional)
  const impactAvg = weightedAverage(impactW, notional)
  return {
    tradeCount: results.length,
    buyCount,
    sellCount: results.length - buyCount,
    totalNotionalQuote: notional,
    implementationShortfallBps: isAvg,
    implementationShortfallQuote: isQ,
    vwapTradeCount: vwapCount,
    vwapNotionalQuote: vwapNotional,
    vwapSlippageBps: weightedAverage(vwapW, vwapNotional),
    vwapSlippageQuote: vwapQ,
    spreadCostBps: weightedAverage(spreadW, notional),
    spreadCostQuote: spreadQ,
    feeBps: weightedAverage(feeW, notional),
    feeQuote: feeQ,
    estimatedImpactBps: impactAvg,
    estimatedImpactQuote: impactQ,
    totalCostBps: weightedAverage(totalW, notional),
    totalCostQuote: totalQ,
    shortfallMinusImpactBps: weightedAverage(isW - impactW, notional),
    shortfallMinusImpactQuote: isQ - impactQ
  }
}
