import { analyseTrade, resolveSpreadAndMid, summariseTca, type TcaTradeResult } from '../domain/tca/tca.js'
import { defaultPeriods, planExecution, repriceTrades, type ExecutionPlan } from '../domain/execution/execution-plan.js'
import { instantaneousImpact } from '../domain/impact/istar.js'
import { calibrationReport, type ScoredFill } from '../domain/tca/calibration-report.js'
import { MS_PER_DAY } from '../domain/execution/volume-profile.js'
import { unknownSymbol, unprocessable } from '../errors.js'
import type { MarketStateProvider } from '../market/market-state.js'
import type { ImpactModel, ModelName } from '../models/impact-model.js'
import type { ModelStore } from '../models/model-store.js'
import type { TcaTrade } from '../schemas/tca.js'
import type { TcaRecord } from '../store/tca-store.js'
import { asUnprocessable } from './estimator.js'
import { costRiskOf, executionModelRisk } from './cost-risk.js'
import { EXECUTION_MODEL_NAME, hourlySharesOf, istarParamsOf } from './execution.js'

/** Copies `value` without its null fields (the API omits a number it cannot give, never sends null). */
export function withoutNulls<T extends object> (value: T): { [K in keyof T]: Exclude<T[K], null> } {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(value)) if (v !== null) out[k] = v
  return out as { [K in keyof T]: Exclude<T[K], null> }
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
      let plan: ExecutionPlan | undefined
      if (worked) {
        const horizonDays = ((trade.endMs as number) - (trade.startMs as number)) / MS_PER_DAY
        plan = planExecution(istarParamsOf(model), trade.qtyBase, { priceQuote: trade.arrivalPriceQuote, volDaily, advBase, hourlyVolumeShares: hourlySharesOf(state), startMs: trade.startMs as number },
          { strategy: trade.strategy ?? 'vwap', horizonDays, periods: defaultPeriods(horizonDays) })
      }
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
      }, (participation, volDaily, relSpread, sign) => {
        if (plan === undefined) return Math.max(0, model.predictCost({ participation, volDaily, relSpread, sideSign: sign }))
        return plan.impactFraction
      })
      results[i] = result
      const scored = scoreTrade(model, plan, result, advBase, volDaily)
      if (scored?.fill !== undefined) fills.push(scored.fill)
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
        relSpread: quotes.spreadQuote / quotes.midQuote,
        ...(scored?.fill !== undefined ? { prediction: { model: model.name, version: model.version, startMs: startAtMs, ...scored.fill } } : {})
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
        predictedCostBps: scored?.predictedCostBps,
        predictedStdBps: scored?.predictedStdBps,
        zScore: scored?.fill?.zScore,
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

/**
 * A trade's predicted cost (impact + half spread, bps) and standard deviation under `model`, and
 * the scored fill when the std is > 0. Undefined when the analysis has no shortfall or spread.
 */
function scoreTrade (model: ImpactModel, plan: ExecutionPlan | undefined, result: TcaTradeResult, advBase: number, volDaily: number): { predictedCostBps: number, predictedStdBps: number, fill?: ScoredFill } | undefined {
  const { implementationShortfallBps, estimatedImpactBps, spreadCostBps, participation, notionalQuote } = result
  if (implementationShortfallBps === null || estimatedImpactBps === null || spreadCostBps === null) return undefined
  let modelRisk: number | undefined
  if (model.name === EXECUTION_MODEL_NAME) {
    const params = istarParamsOf(model)
    const risk = executionModelRisk(model, params, plan !== undefined
      ? (p) => repriceTrades(p, plan, volDaily, advBase, plan.tradesBase).impactFraction
      : (p) => instantaneousImpact(p, participation, volDaily))
    if ('riskFraction' in risk) modelRisk = risk.riskFraction
  }
  const predicted = costRiskOf(estimatedImpactBps + spreadCostBps, plan?.timingRiskFraction ?? 0, modelRisk)
  const out = { predictedCostBps: predicted.expectedCostBps, predictedStdBps: predicted.costStdBps }
  if (!(predicted.costStdBps > 0)) return out
  const zScore = (implementationShortfallBps - predicted.expectedCostBps) / predicted.costStdBps
  if (!Number.isFinite(zScore)) return out
  return { ...out, fill: { participation, notionalQuote, implementationShortfallBps, predictedCostBps: predicted.expectedCostBps, predictedStdBps: predicted.costStdBps, zScore } }
}
