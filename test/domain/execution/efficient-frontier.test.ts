import t from 'tap'
import {
  efficientFrontier,
  optimalSchedule,
  riskAversionGrid,
  type AlmgrenChrissMarketParams
} from '../../../src/domain/execution/almgren-chriss.js'

// Market of the paper's example (Almgren & Chriss 2000): X = 1e6, T = 5 days, N = 5.
const MARKET: AlmgrenChrissMarketParams = {
  initialHoldingsBase: 1e6,
  horizonDays: 5,
  periods: 5,
  volQuote: 0.95,
  permanentImpact: 2.5e-7,
  temporaryImpact: 2.5e-6,
  halfSpreadQuote: 1 / 16
}

function relErr (actual: number, expected: number): number {
  return Math.abs(actual - expected) / Math.abs(expected)
}

t.test('riskAversionGrid: exact endpoints, constant ratio (rel 1e-12), increasing', async (t) => {
  const grid = riskAversionGrid(1e-8, 1e-4, 5)
  t.equal(grid.length, 5)
  t.equal(grid[0], 1e-8)
  t.equal(grid[4], 1e-4)
  const expected = [1e-8, 1e-7, 1e-6, 1e-5, 1e-4]
  for (let k = 0; k < 5; k++) t.ok(relErr(grid[k], expected[k]) < 1e-12, `grid[${k}] = ${grid[k]} ~ ${expected[k]}`)
  const long = riskAversionGrid(3e-9, 7e-3, 1000)
  const ratio = Math.pow(7e-3 / 3e-9, 1 / 999)
  let worst = 0
  let increasing = true
  for (let k = 1; k < long.length; k++) {
    worst = Math.max(worst, relErr(long[k] / long[k - 1], ratio))
    if (!(long[k] > long[k - 1])) increasing = false
  }
  t.ok(worst < 1e-12, `consecutive ratio constant: worst rel err ${worst}`)
  t.ok(increasing, 'strictly increasing')
})

t.test('E rises and V falls strictly as lambda grows (paper example market, 40 log-spaced lambdas)', async (t) => {
  const points = efficientFrontier(MARKET, riskAversionGrid(1e-9, 1e-3, 40))
  t.equal(points.length, 40)
  for (let k = 1; k < points.length; k++) {
    t.ok(points[k].expectedCostQuote > points[k - 1].expectedCostQuote, `E rises at k=${k}`)
    t.ok(points[k].varianceQuote2 < points[k - 1].varianceQuote2, `V falls at k=${k}`)
    t.equal(points[k].stdCostQuote, Math.sqrt(points[k].varianceQuote2))
  }
})

t.test('each frontier point equals optimalSchedule for its lambda (rel 1e-14) and keeps input order', async (t) => {
  const lambdas = [1e-5, 0, 3e-7, 2e-6]
  const points = efficientFrontier(MARKET, lambdas)
  for (let k = 0; k < lambdas.length; k++) {
    const s = optimalSchedule({ ...MARKET, riskAversion: lambdas[k] })
    t.equal(points[k].riskAversion, lambdas[k])
    t.ok(relErr(points[k].expectedCostQuote, s.expectedCostQuote) <= 1e-14, `E at lambda=${lambdas[k]}`)
    t.ok(relErr(points[k].varianceQuote2, s.varianceQuote2) <= 1e-14, `V at lambda=${lambdas[k]}`)
  }
  // lambda = 0 is TWAP: E = eps X + gamma X^2/2 + etaTilde X^2/T (paper, lambda -> 0 limit)
  const etaTilde = 2.5e-6 - 2.5e-7 / 2
  t.ok(relErr(points[1].expectedCostQuote, 1e6 / 16 + 2.5e-7 * 1e12 / 2 + etaTilde * 1e12 / 5) < 1e-12, 'lambda = 0 gives TWAP E')
})

t.test('frontier optimality: point i minimises E + lambda_i V over all frontier points (rel 1e-12)', async (t) => {
  const points = efficientFrontier({ ...MARKET, periods: 50 }, riskAversionGrid(1e-8, 1e-4, 25))
  let violations = 0
  for (const p of points) {
    const own = p.expectedCostQuote + p.riskAversion * p.varianceQuote2
    for (const q of points) {
      if (q.expectedCostQuote + p.riskAversion * q.varianceQuote2 < own * (1 - 1e-12)) violations++
    }
  }
  t.equal(violations, 0, 'no other frontier point beats the optimum for its own lambda')
})

t.test('N = 10000 frontier over 100 lambdas completes (hot-path size) with monotone E and V', async (t) => {
  const started = process.hrtime.bigint()
  const points = efficientFrontier({ ...MARKET, periods: 10_000 }, riskAversionGrid(1e-9, 1e-3, 100))
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6
  t.comment(`efficientFrontier N=10000 x 100 lambdas: ${elapsedMs.toFixed(1)} ms`)
  let monotone = true
  for (let k = 1; k < points.length; k++) {
    if (!(points[k].expectedCostQuote >= points[k - 1].expectedCostQuote && points[k].varianceQuote2 <= points[k - 1].varianceQuote2)) monotone = false
  }
  t.ok(monotone, 'E non-decreasing and V non-increasing')
})
