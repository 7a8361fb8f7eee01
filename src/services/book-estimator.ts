import { walkBook } from '../domain/impact/book-walk.js'
import { walkInverseBook } from '../domain/impact/inverse-book-walk.js'
import { orderCost } from '../domain/impact/order-cost.js'
import { fractionToBps, sideSign } from '../domain/units.js'
import { bookUnavailable, unprocessable } from '../errors.js'
import type { Orderbook } from '../market/market-data.js'
import type { Category } from '../market/market-state.js'
import { DEFAULT_MODEL_NAME, type ModelName } from '../models/impact-model.js'
import type { EstimateRequest, EstimateResponse } from '../schemas/estimate.js'
import { asUnprocessable, feeRateFor, IMMEDIATE_EXECUTION, ORDER_COST_FIELDS, estimateOrder, marketStateInfo, rangeWarning, resolveMarketInputs, type EstimatorDeps } from './estimator.js'
import { costRiskOf, modelRiskOf } from './cost-risk.js'
import { staleMarketWarning } from './stale-market.js'

/**
 * Method "book": prices the order by walking the latest order-book snapshot level by level (exact
 * decimal arithmetic on the venue's strings). The arrival price is the book's mid; spreadCostBps
 * is half the book's spread; impactBps is the rest of the cost versus mid, i.e. the depth consumed
 * beyond the touch. When the visible book cannot fill the order, the remainder is priced at mid
 * plus half spread plus the impact model's cost for the whole order's participation (a
 * conservative stand-in for the hidden book), and a BOOK_THIN warning says so.
 * Cost distribution: no timing risk (immediate); no model risk for what the visible book fills
 * (the walk is exact on the snapshot); a thin book's remainder carries the model's model risk,
 * weighted by its share of the order (null with MODEL_RISK_UNAVAILABLE for a size-only model).
 *
 * Linear and spot books count base units (`walkBook`); inverse books count USD contracts of 1 USD
 * face, walked in base units (`walkInverseBook`: a level of c contracts at p holds c / p base), so
 * the average fill price is the contract-weighted harmonic mean of the prices touched.
 * @throws 422 naming the field for inputs the walk or the model rejects.
 */
export function estimateFromBook (request: EstimateRequest, deps: EstimatorDeps, snapshot: { book: Orderbook, fetchedAtMs: number }, fieldPrefix = 'body/'): EstimateResponse {
  const { book } = snapshot
  const inputs = bookMarketInputs(request, deps, fieldPrefix)
  const feeRate = feeRateFor(deps.market, book.category, request.liquidity)
  const modelName: ModelName = request.model ?? DEFAULT_MODEL_NAME
  const model = deps.models.modelsFor(request.symbol)[modelName]
  const warnings: Array<{ code: string, message: string }> = []
  try {
    const walkInput = { side: request.side, qtyBase: request.qtyBase, bids: book.bids, asks: book.asks }
    const walk = book.category === 'inverse' ? walkInverseBook(walkInput) : walkBook(walkInput)
    const mid = walk.midQuote
    const bestBid = book.bids[0].priceQuote
    const bestAsk = book.asks[0].priceQuote
    const spreadFraction = (bestAsk - bestBid) / mid
    const halfSpread = spreadFraction / 2
    const participation = request.qtyBase / inputs.advBase
    let remainderCost = 0
    let modelRisk: number | undefined = 0
    if (walk.thin) {
      const remainingShare = walk.remainingQtyBase / request.qtyBase
      const risk = modelRiskOf(model, { participation, volDaily: inputs.volDaily })
      modelRisk = risk.riskFraction === undefined ? undefined : risk.riskFraction * remainingShare
      if (risk.warning !== undefined) warnings.push(risk.warning)
      const modelCost = Math.max(0, model.predictCost({ participation, relSpread: spreadFraction, volDaily: inputs.volDaily, sideSign: sideSign(request.side) }))
      remainderCost = halfSpread + modelCost
      warnings.push({ code: 'BOOK_THIN', message: `the visible book (${book.bids.length} bids, ${book.asks.length} asks) fills ${walk.filledQtyBase} of ${request.qtyBase}; the remaining ${walk.remainingQtyBase} is priced at mid + half spread + the ${modelName} model's impact` })
      const w = rangeWarning('participation', participation, model.validity.participation, 'PARTICIPATION_OUTSIDE_CALIBRATION')
      if (w !== undefined) warnings.push(w)
    }
    const filledCost = walk.costVsMidBps !== undefined ? walk.costVsMidBps / 1e4 : 0
    const totalCost = (walk.filledQtyBase * filledCost + walk.remainingQtyBase * remainderCost) / request.qtyBase
    const cost = orderCost({ side: request.side, qtyBase: request.qtyBase, priceQuote: mid, advBase: inputs.advBase, spreadBps: fractionToBps(spreadFraction), feeRate, impactCostFraction: totalCost - halfSpread })
    const distribution = costRiskOf(cost.totalCostBps, 0, modelRisk)
    const state = inputs.state
    const nowMs = Date.now()
    // the state gives volDaily and advBase unless the request does
    if (state !== undefined && (request.volDaily === undefined || request.advBase === undefined)) {
      const stale = staleMarketWarning(state, nowMs, deps.config)
      if (stale !== undefined) warnings.push(stale)
    }
    return {
      symbol: request.symbol,
      side: request.side,
      qtyBase: request.qtyBase,
      priceQuote: mid,
      volDaily: inputs.volDaily,
      advBase: inputs.advBase,
      spreadBps: fractionToBps(spreadFraction),
      ...cost,
      timingRiskQuote: 0,
      ...distribution,
      execution: IMMEDIATE_EXECUTION,
      model: { name: model.name, version: model.version, source: model.source },
      inputs: {
        priceQuote: 'market-state',
        volDaily: request.volDaily === undefined ? 'market-state' : 'request',
        advBase: request.advBase === undefined ? 'market-state' : 'request',
        spreadBps: 'market-state'
      },
      ...(state !== undefined ? { marketState: marketStateInfo(state, nowMs) } : {}),
      book: {
        snapshotTsMs: book.tsMs,
        ageMs: Math.max(0, nowMs - snapshot.fetchedAtMs),
        levelsConsumed: walk.levelsConsumed,
        filledQtyBase: walk.filledQtyBase,
        remainingQtyBase: walk.remainingQtyBase,
        ...(walk.avgPriceQuote !== undefined ? { avgFillPriceQuote: walk.avgPriceQuote, avgFillPrice: walk.avgPrice } : {}),
        ...(walk.costVsMidBps !== undefined ? { costVsMidBps: walk.costVsMidBps } : {}),
        ...(walk.worstPriceQuote !== undefined ? { worstPriceQuote: walk.worstPriceQuote } : {}),
        thin: walk.thin
      },
      warnings
    }
  } catch (err) {
    throw asUnprocessable(err, fieldPrefix, ORDER_COST_FIELDS)
  }
}

/** Method "book" end to end: the cached snapshot (fetched when older than BOOK_MAX_AGE_MS), then the walk. */
export async function estimateWithBook (request: EstimateRequest, deps: EstimatorDeps & { books?: BookSource }, fieldPrefix = 'body/'): Promise<EstimateResponse> {
  if (request.execution !== undefined && request.execution.strategy !== 'immediate') {
    throw unprocessable(`${fieldPrefix}execution/strategy`, 'immediate with method book', 'method "book" walks the visible book now: it prices an immediate execution only; use method "model" for an execution worked over time')
  }
  if (deps.books === undefined) throw bookUnavailable('method "book" needs live market data: this server runs on embedded defaults (MARKET_DATA_SOURCE=embedded)')
  // what can be refused without the book is refused before any network call
  const { state } = bookMarketInputs(request, deps, fieldPrefix)
  const category = deps.books.category
  if (state !== undefined && state.category !== category) {
    throw unprocessable(`${fieldPrefix}symbol`, `symbol of category ${category} (BYBIT_CATEGORY) with method book`, `method "book" walks the ${category} order book of the symbol; ${request.symbol} is a ${state.category} symbol here, so the venue has no ${category} book of it (use method "model")`)
  }
  let snapshot
  try {
    snapshot = await deps.books.get(request.symbol)
  } catch (err) {
    const code = (err as { code?: unknown }).code
    throw bookUnavailable(`no order book for ${request.symbol}: the venue did not answer (${typeof code === 'string' ? code : 'error'})`)
  }
  return estimateFromBook(request, deps, snapshot, fieldPrefix)
}

export interface BookSource {
  /** the category every book is fetched in: linear and spot count base units, inverse USD contracts */
  readonly category: Category
  get: (symbol: string) => Promise<{ book: Orderbook, fetchedAtMs: number }>
}

/** Price and spread come from the book; only volDaily and advBase (for a thin book's remainder) may come from market state. @throws 422 unknown symbol. */
function bookMarketInputs (request: EstimateRequest, deps: EstimatorDeps, fieldPrefix: string): ReturnType<typeof resolveMarketInputs> {
  return resolveMarketInputs({ ...request, priceQuote: request.priceQuote ?? 1, spreadBps: request.spreadBps ?? 0 }, deps.market, fieldPrefix)
}

/**
 * One order by the method it names: the impact model (default), synchronously, or the order book,
 * which may have to fetch a snapshot (a promise). The model path stays synchronous so the hot path
 * pays no promise hops.
 */
export function estimateByMethod (request: EstimateRequest, deps: EstimatorDeps & { books?: BookSource }, fieldPrefix = 'body/'): EstimateResponse | Promise<EstimateResponse> {
  return request.method === 'book' ? estimateWithBook(request, deps, fieldPrefix) : estimateOrder(request, deps, fieldPrefix)
}
