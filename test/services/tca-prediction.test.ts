import t from 'tap'
import { loadConfig } from '../../src/config.js'
import { calibrationReport } from '../../src/domain/tca/calibration-report.js'
import { loadEmbeddedMarketState } from '../../src/market/market-state.js'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { modelFromRecord, type ModelRecord } from '../../src/models/impact-model.js'
import { ModelStore } from '../../src/models/model-store.js'
import { hourlySharesOf } from '../../src/services/execution.js'
import { rescoreRecords } from '../../src/services/tca-prediction.js'
import { runTca } from '../../src/services/tca.js'

/**
 * The job's "after" report re-scores stored fills with a candidate (issue 15 section 3): with the
 * model that made the predictions it must reproduce them exactly; with a candidate whose impact is
 * larger, the predictions rise and the z-scores fall.
 */
const config = loadConfig({ LOG_LEVEL: 'silent' })
const market = loadEmbeddedMarketState(config.MARKET_STATE_PATH, config)
const set = loadEmbeddedModels(config.MODELS_PATH)
const models = new ModelStore({ defaultSet: set, bySymbol: new Map() })
const T0 = 1_767_600_000_000
const trades = [10, 40, 120].flatMap((qtyBase, i) => (['buy', 'sell'] as const).map((side, j) => ({
  symbol: 'BTCUSDT',
  side,
  qtyBase,
  arrivalPriceQuote: 84000,
  execPriceQuote: 84000 * (1 + (side === 'buy' ? 1 : -1) * (0.0004 + 0.0003 * j)),
  bidQuote: 83999.95,
  askQuote: 84000.05,
  startMs: T0 + i * 3_600_000,
  endMs: T0 + i * 3_600_000 + 30 * 60_000,
  strategy: 'twap' as const
})))
const { records, response } = runTca(trades, 'istar', false, { market, models }, T0 + 86_400_000)

t.test('re-scored by the model that predicted them, stored fills keep their z exactly', async (t) => {
  t.equal(records.filter((r) => r.prediction !== undefined).length, trades.length, 'every worked trade was stored with its prediction')
  const again = rescoreRecords(records, (name) => set[name], hourlySharesOf(market.get('BTCUSDT')))
  t.equal(again.length, trades.length)
  again.forEach((fill, i) => {
    t.ok(Math.abs(fill.zScore - (response.trades[i].zScore as number)) < 1e-12, `trade ${i}: z ${fill.zScore} = ${response.trades[i].zScore as number}`)
    t.ok(Math.abs(fill.predictedCostBps - (response.trades[i].predictedCostBps as number)) < 1e-12)
  })
})

t.test('a candidate with twice a1 predicts twice the impact: predictions rise, z falls', async (t) => {
  const record = set.istar.record as ModelRecord & { params: { a1: number } }
  const doubled = modelFromRecord({ ...record, version: 'doubled', params: { ...record.params, a1: 2 * record.params.a1 } } as ModelRecord)
  const before = rescoreRecords(records, (name) => set[name], hourlySharesOf(market.get('BTCUSDT')))
  const after = rescoreRecords(records, (name) => (name === 'istar' ? doubled : set[name]), hourlySharesOf(market.get('BTCUSDT')))
  after.forEach((fill, i) => {
    const halfSpread = records[i].relSpread / 2 * 1e4
    // square-root law: impact proportional to a1 (closed form), so predicted - half spread doubles (relative 1e-9)
    t.ok(Math.abs((fill.predictedCostBps - halfSpread) - 2 * (before[i].predictedCostBps - halfSpread)) < 1e-9 * fill.predictedCostBps, `trade ${i}: impact doubles`)
    t.ok(fill.zScore < before[i].zScore, 'z falls')
  })
  t.ok((calibrationReport(after).overall.meanZ as number) < (calibrationReport(before).overall.meanZ as number))
  t.same(rescoreRecords(records.map(({ prediction, ...r }) => r), (name) => set[name], []), [], 'records without a prediction are not scored')
})
