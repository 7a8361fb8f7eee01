import { analyseTrade, resolveSpreadAndMid, summariseTca, type TcaTradeResult } from '../domain/tca/tca.js'
import { calibrationReport, type ScoredFill } from '../domain/tca/calibration-report.js'
import { unknownSymbol, unprocessable } from '../errors.js'
import type { MarketStateProvider } from '../market/market-state.js'
import type { ModelName } from '../models/impact-model.js'
import type { ModelStore } from '../models/model-store.js'
import type { TcaTrade } from '../schemas/tca.js'
import type { TcaRecord } from '../store/tca-store.js'
import { asUnprocessable } from './estimator.js'
import { EXECUTION_MODEL_NAME, hourlySharesOf } from './execution.js'
import { expectedImpact, plannedExecution, predictedCost, scoredFill, type ExecutedOrder } from './tca-prediction.js'

/** `T` as the API sends it: every null field left out, at any depth (typed as its non-null type). */
export type WithoutNulls<T> = T extends ReadonlyArray<infer U> ? Array<WithoutNulls<U>> : T extends object ? { [K in keyof T]: WithoutNulls<Exclude<T[K], null>> } : T

/** Copies `value` without its null fields at any depth (the API omits a number it cannot give, never sends null). */
export function withoutNulls<T> (value: T): WithoutNulls<T> {
  if (Array.isArray(value)) return value.map(withoutNulls) as WithoutNulls<T>
  if (value === null || typeof value !== 'object') return value as WithoutNulls<T>
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = withoutNulls(v)
  return out as WithoutNulls<T>
}

/**
 * Post-trade analysis of each execution and of the set. The estimated impact uses the trade's own
 * advBase and volDaily; the symbol's market state fills only what the trade leaves out.
 * Each trade is also scored against its predicted cost distribution (issue 15): the model version
 * active at its start (startMs, else executedAtMs, else arrival of the request; ModelStore.modelAt)
 * predicts impact + half spread (what the implementation shortfall holds; fees are known), with the
 * standard deviation sqrt(timing risk^2 + model risk^2) of POST /v1/estimate for the same execution,
 * and zScore = (implementationShortfallBps - predictedCostBps) / predictedStdBps where that std is > 0.
 * @throws 422 naming `body/trades/i/<field>` for a trade that cannot be analysed.
 */
export function runTca (trades: TcaTrade[], modelName: ModelName, explicitModel: boolean, deps: { market: MarketStateProvider, models: ModelStore }, receivedAtMs: number) {
  const results: TcaTradeResult[] = new Array(trades.length)
  const fills: ScoredFill[] = []
  const records: TcaRecord[] = new Array(trades.length)
  const out = new Array(trades.length)
  for (let i = 0; i < trades.length; i++) {
    const trade = trades[i]
    const state = deps.market.get(trade.symbol)
    const bidAsk = trade.bidQuote !== undefined && trade.askQuote !== undefined
    const hasQuotes = bidAsk || trade.spreadQuote !== undefined
    if (state === undefined) {
      const missing = [
        ...(trade.advBase === undefined ? ['advBase'] : []),
        ...(trade.volDaily === undefined ? ['volDaily'] : []),
        ...(!hasQuotes ? ['spreadQuote or bidQuote and askQuote'] : [])
      ]
      if (missing.length > 0) throw unknownSymbol(`body/trades/${i}/symbol`, trade.symbol, missing)
    }
    const worked = trade.startMs !== undefined || trade.endMs !== undefined
    if (worked && !((trade.endMs as number) > (trade.startMs as number))) {
      throw unprocessable(`body/trades/${i}/endMs`, '> startMs', `the execution window must end after it starts (startMs ${trade.startMs}, endMs ${trade.endMs})`)
    }
    if (worked && explicitModel && modelName !== EXECUTION_MODEL_NAME) {
      throw unprocessable('body/model', `"${EXECUTION_MODEL_NAME}" or absent when a trade gives startMs and endMs`, `trade ${i} was worked over time: it is priced by the execution model "${EXECUTION_MODEL_NAME}"; leave model out`)
    }
    const startAtMs = trade.startMs ?? trade.executedAtMs ?? receivedAtMs
    const model = deps.models.modelAt(trade.symbol, worked ? EXECUTION_MODEL_NAME : modelName, startAtMs)
    try {
      const quotes = hasQuotes
        ? resolveSpreadAndMid(trade)
        : { spreadQuote: (state?.spreadBps ?? 0) / 1e4 * trade.arrivalPriceQuote, midQuote: trade.arrivalPriceQuote }
      const advBase = trade.advBase ?? state?.advBase ?? Number.NaN
      const volDaily = trade.volDaily ?? state?.volDaily ?? Number.NaN
      const relSpread = quotes.spreadQuote / quotes.midQuote
      const order: ExecutedOrder = {
        qtyBase: trade.qtyBase,
        arrivalPriceQuote: trade.arrivalPriceQuote,
        advBase,
        volDaily,
        relSpread,
        hourlyShares: hourlySharesOf(state),
        ...(worked ? { window: { startMs: trade.startMs as number, endMs: trade.endMs as number, strategy: trade.strategy ?? 'vwap' } } : {})
      }
      const plan = plannedExecution(model, order)
      const result = analyseTrade({
        side: trade.side,
        qtyBase: trade.qtyBase,
        execPriceQuote: trade.execPriceQuote,
        arrivalPriceQuote: trade.arrivalPriceQuote,
        vwapQuote: trade.vwapQuote,
        spreadQuote: quotes.spreadQuote,
        midQuote: quotes.midQuote,
        feeQuote: trade.feeQuote,
        advBase,
        volDaily
      }, (_participation, _volDaily, _relSpread, sign) => expectedImpact(model, order, plan, sign))
      results[i] = result
      const prediction = result.implementationShortfallBps === null || result.estimatedImpactBps === null ? undefined : predictedCost(model, order, plan, result.estimatedImpactBps / 1e4)
      const fill = prediction === undefined ? undefined : scoredFill(result.participation, result.notionalQuote, result.implementationShortfallBps as number, prediction)
      if (fill !== undefined) fills.push(fill)
      records[i] = {
        receivedAtMs,
        executedAtMs: trade.executedAtMs ?? receivedAtMs,
        symbol: trade.symbol,
        side: trade.side,
        qtyBase: trade.qtyBase,
        execPriceQuote: trade.execPriceQuote,
        arrivalPriceQuote: trade.arrivalPriceQuote,
        advBase,
        volDaily,
        relSpread,
        ...(fill !== undefined ? { prediction: { model: model.name, version: model.version, startMs: startAtMs, ...(order.window !== undefined ? { endMs: order.window.endMs, strategy: order.window.strategy } : {}), ...fill } } : {})
      }
      // one fixed shape, in the response schema's order; a field the trade cannot give is left out (undefined), never null
      out[i] = {
        symbol: trade.symbol,
        side: trade.side,
        qtyBase: trade.qtyBase,
        notionalQuote: result.notionalQuote,
        participation: result.participation,
        implementationShortfallBps: result.implementationShortfallBps,
        implementationShortfallQuote: result.implementationShortfallQuote,
        vwapSlippageBps: result.vwapSlippageBps ?? undefined,
        vwapSlippageQuote: result.vwapSlippageQuote ?? undefined,
        spreadCostBps: result.spreadCostBps,
        spreadCostQuote: result.spreadCostQuote,
        feeBps: result.feeBps,
        feeQuote: result.feeQuote,
        estimatedImpactBps: result.estimatedImpactBps,
        estimatedImpactQuote: result.estimatedImpactQuote,
        totalCostBps: result.totalCostBps,
        totalCostQuote: result.totalCostQuote,
        predictedCostBps: prediction?.predictedCostBps,
        predictedStdBps: prediction?.predictedStdBps,
        zScore: fill?.zScore,
        model: model.info,
        execution: plan === undefined ? undefined : { strategy: plan.strategy, horizonDays: plan.horizonDays, periods: plan.periods, averageParticipation: plan.averageParticipation },
        inputs: {
          advBase: trade.advBase !== undefined ? 'request' : 'market-state',
          volDaily: trade.volDaily !== undefined ? 'request' : 'market-state',
          spread: bidAsk ? 'bid-ask' : trade.spreadQuote !== undefined ? 'spreadQuote' : 'market-state'
        }
      }
    } catch (err) {
      throw asUnprocessable(err, `body/trades/${i}/`, { horizonDays: 'endMs', periods: 'endMs' })
    }
  }
  let summary
  try {
    summary = summariseTca(results)
  } catch (err) {
    throw asUnprocessable(err, 'body/')
  }
  const { n, meanZ, stdZ, bandCoverage, biasBps } = calibrationReport(fills).overall
  const prediction = withoutNulls({ n, meanZ, stdZ, bandCoverage, biasBps })
  return { response: { trades: out, summary: { ...withoutNulls(summary), prediction } }, records }
}
