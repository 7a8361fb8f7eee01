/**
 * Child orders rounded to a lot size (the request's qtyStep, else the instrument's), as both
 * schedule models report them: the rounded trades and the `lotSize` block of the response.
 */
import { roundTradesToStep } from '../domain/execution/round-schedule.js'
import { decimalToNumber, decimalToString, numberToDecimal, parseDecimal, subtractDecimal } from '../domain/impact/decimal.js'
import type { InstrumentRules } from '../market/market-state.js'
import type { ScheduleRequest } from '../schemas/schedule.js'

/**
 * The lot size as the decimal string it is reported as: a JSON number (0.001) is converted exactly
 * (the shortest round-trip decimal, "0.001", never 0.001000000000000000020816...), a string kept.
 */
export function qtyStepText (qtyStep: string | number): string {
  return typeof qtyStep === 'number' ? decimalToString(numberToDecimal(qtyStep, 'qtyStep')) : qtyStep
}

/**
 * Rounds `tradesBase` to the lot size, carrying the remainder forward (roundTradesToStep); undefined
 * when neither the request nor the instrument gives a qtyStep.
 * @returns the rounded trades, their sum, and the response's `lotSize` (residualBase exact, in decimal)
 */
export function roundToLotSize (tradesBase: readonly number[], request: Pick<ScheduleRequest, 'qtyBase' | 'qtyStep' | 'minOrderQty'>, instrument: InstrumentRules | undefined) {
  const qtyStep = request.qtyStep !== undefined ? qtyStepText(request.qtyStep) : instrument?.qtyStep
  if (qtyStep === undefined) return undefined
  const minOrderQty = request.minOrderQty ?? instrument?.minOrderQty
  const rounded = roundTradesToStep(tradesBase, qtyStep, minOrderQty)
  const lotSize = {
    qtyStep,
    ...(minOrderQty !== undefined ? { minOrderQty } : {}),
    source: request.qtyStep !== undefined ? 'request' : 'instrument',
    tradesExact: rounded.tradesExact,
    // exact: qtyBase minus the sum of the rounded children, in decimal (never -0 in JSON)
    residualBase: decimalToNumber(rounded.tradesExact.reduce((left, x) => subtractDecimal(left, parseDecimal(x, 'trades')), numberToDecimal(request.qtyBase, 'qtyBase'))) + 0
  }
  return { trades: rounded.trades, executedBase: rounded.trades.reduce((a, b) => a + b, 0), qtyStep, minOrderQty, lotSize }
}
