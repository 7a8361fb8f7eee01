import { requireFinite, requireNonNegative, requireNumber, requirePositive } from '../guards.js'
import { bpsToFraction, fractionToBps, sideSign, type Side } from '../units.js'

/** Everything the cost breakdown needs, already resolved (request or market state). */
export interface OrderCostInput {
  side: Side
  qtyBase: number
  /** arrival (decision) price, quote per base */
  priceQuote: number
  /** average daily volume, base units */
  advBase: number
  /** quoted spread (ask - bid)/mid, bps */
  spreadBps: number
  /** fee as a fraction of notional (0.00055 = 5.5 bps); negative is a rebate */
  feeRate: number
  /** expected market impact as a fraction of price (positive = cost), from an impact model */
  impactCostFraction: number
}

export interface OrderCost {
  notionalQuote: number
  /** |Q| / ADV */
  participation: number
  impactBps: number
  impactQuote: number
  /** half the quoted spread: the cost of crossing from mid to the touch */
  spreadCostBps: number
  spreadCostQuote: number
  feeBps: number
  feeQuote: number
  totalCostBps: number
  totalCostQuote: number
  /** expected average fill price: price moved against the trade by impact + half spread (fees excluded) */
  expectedAvgPriceQuote: number
}

/**
 * Cost breakdown of one order: impact + half-spread + fee, in bps of notional and in quote.
 * Buys and sells cost the same; only the expected fill price moves in the trade's direction.
 * @throws DomainRangeError if an input is non-finite or out of its domain, or (param impactCostFraction)
 *   when impact + half spread reach 100 % of the price: the order is too large for any model to price.
 */
export function orderCost (input: OrderCostInput): OrderCost {
  const { qtyBase, priceQuote, advBase, spreadBps, feeRate, impactCostFraction } = input
  requirePositive('orderCost', 'qtyBase', qtyBase)
  requirePositive('orderCost', 'priceQuote', priceQuote)
  requirePositive('orderCost', 'advBase', advBase)
  requireNonNegative('orderCost', 'spreadBps', spreadBps)
  requireFinite('orderCost', 'feeRate', feeRate)
  requireFinite('orderCost', 'impactCostFraction', impactCostFraction)

  const notionalQuote = qtyBase * priceQuote
  const spreadCostFraction = bpsToFraction(spreadBps) / 2
  // issue 14: a move of 100 % or more would price a sell at or below zero; refused for either side (symmetry)
  const moveFraction = impactCostFraction + spreadCostFraction
  requireNumber('orderCost', 'impactCostFraction', moveFraction, moveFraction < 1, 'small enough that impact + half spread stays below 100 % of the price')
  const totalFraction = impactCostFraction + spreadCostFraction + feeRate
  const totalCostQuote = totalFraction * notionalQuote
  const cost = {
    notionalQuote,
    participation: qtyBase / advBase,
    impactBps: fractionToBps(impactCostFraction),
    impactQuote: impactCostFraction * notionalQuote,
    spreadCostBps: spreadBps / 2,
    spreadCostQuote: spreadCostFraction * notionalQuote,
    feeBps: fractionToBps(feeRate),
    feeQuote: feeRate * notionalQuote,
    totalCostBps: fractionToBps(totalFraction),
    totalCostQuote,
    expectedAvgPriceQuote: priceQuote * (1 + sideSign(input.side) * (impactCostFraction + spreadCostFraction))
  }
  // output guards: an overflow is blamed on the input that drives it
  requireNumber('orderCost', 'qtyBase', cost.participation, true, 'small enough that qtyBase / advBase stays finite')
  const quoteOk = Number.isFinite(cost.notionalQuote) && Number.isFinite(cost.impactQuote) && Number.isFinite(cost.spreadCostQuote) && Number.isFinite(cost.feeQuote)
  requireNumber('orderCost', 'qtyBase', totalCostQuote, quoteOk, 'small enough that qtyBase * priceQuote and the costs stay finite')
  requireNumber('orderCost', 'impactCostFraction', cost.impactBps, true, 'small enough that the impact in bps stays finite')
  requireNumber('orderCost', 'spreadBps', cost.totalCostBps, true, 'small enough that the total cost in bps stays finite')
  requireNumber('orderCost', 'priceQuote', cost.expectedAvgPriceQuote, true, 'small enough that the expected fill price stays finite')
  return cost
}
