// Runs the `npm run eval` functions on a small slice of ../shared/data (or $PRETRADE_DATA_DIR):
// LINKUSDT klines cut to their first 4 days, 15-minute windows, the tape at 30 s, the whole Bybit
// inverse file; a short MLP. Checks the JSON shape, finiteness and the zero model. Skipped, with
// the reason, when the data is not there.
import t from 'tap'
import { resolveDataDir, dataDirExists } from '../../scripts/lib/data-dir.js'
import { runEval, EVAL_SETTINGS, type EvalRunSettings } from '../../scripts/lib/eval-run.js'
import { formatReport } from '../../scripts/lib/eval-report.js'
import { MODEL_COLUMNS } from '../../scripts/lib/eval-core.js'
import { sessionMarketAt, type TapeSession } from '../../scripts/lib/eval-tape.js'

const dataDir = resolveDataDir()
const SETTINGS: EvalRunSettings = {
  ...EVAL_SETTINGS,
  mlp: { ...EVAL_SETTINGS.mlp, maxEpochs: 5, patience: 2 },
  mlpMaxTrainRows: 2000,
  klines: { ...EVAL_SETTINGS.klines, windowsMinutes: [15] },
  tape: { ...EVAL_SETTINGS.tape, windowsMs: [30_000] }
}
const CANDIDATES = ['logLinear', 'refit05', 'linear', 'mlp']

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

/** Every number in a JSON tree (JSON.stringify has already turned NaN and Infinity into null). */
function numbersIn (node: Json, path: string, out: Array<[string, number]>): Array<[string, number]> {
  if (typeof node === 'number') out.push([path, node])
  else if (Array.isArray(node)) node.forEach((v, i) => numbersIn(v, `${path}[${i}]`, out))
  else if (node !== null && typeof node === 'object') for (const [k, v] of Object.entries(node)) numbersIn(v, `${path}.${k}`, out)
  return out
}

t.test('eval on a slice of the real data', {
  skip: dataDirExists(dataDir) ? false : `recorded data not found at ${dataDir} (set PRETRADE_DATA_DIR); nothing to evaluate`
}, async (t) => {
  const report = await runEval(dataDir, { settings: SETTINGS, klineSymbols: ['LINKUSDT'], maxBarsPerFile: 4 * 1440 })
  const text = JSON.stringify(report)
  t.notMatch(text, /NaN|Infinity/, 'valid JSON numbers only')
  const json = JSON.parse(text) as { klines: Array<Record<string, Json>>, tape: { rows: Array<Record<string, Json>> }, bybitInverse: { periods: Array<Record<string, number>>, ratio: Record<string, number> } }

  t.same(json.klines.map((r) => [r.dataset, r.window]), [['2023-02 LINK', '15 min'], ['2026-02 LINK', '15 min'], ['2023-02 -> 2026-02 LINK', '15 min']], 'one row per data set and window')
  t.equal(json.tape.rows.length, 1)
  for (const row of [...json.klines, ...json.tape.rows]) {
    const label = `${String(row.dataset)} ${String(row.window)}`
    const samples = row.samples as Record<string, number>
    t.ok(samples.train > 0 && samples.test > 0 && samples.train + samples.test <= samples.usable, `${label}: train ${samples.train} + test ${samples.test} <= usable ${samples.usable}`)
    t.ok((row.trainWindow as Record<string, number>).toMs <= (row.testWindow as Record<string, number>).fromMs, `${label}: training ends before the test starts`)
    const r2 = row.outOfSampleR2 as Record<string, number | null>
    const aboutMean = row.r2AboutMean as Record<string, number | null>
    t.same(Object.keys(r2), [...MODEL_COLUMNS])
    t.equal(r2.zero, 0, `${label}: zero's gate R^2 = 1 - mse/mse(zero) = 0 exactly`)
    // about the test mean, zero scores -n mean^2 / SST <= 0 (algebra); ~0 when returns average ~0 over
    // thousands of kline windows (tolerance 0.01). The few dozen tape test windows trend, so there only the sign is checked.
    if (String(row.dataset).startsWith('tape')) t.ok((aboutMean.zero ?? NaN) <= 0, `${label}: zero's R^2 about the test mean ${aboutMean.zero} <= 0`)
    else t.ok(Math.abs(aboutMean.zero ?? NaN) < 0.01, `${label}: zero's R^2 about the test mean ${aboutMean.zero} ~ 0 (|.| < 0.01)`)
    t.ok(typeof r2.refit05 === 'number' && Number.isFinite(r2.refit05), `${label}: refit R^2 ${r2.refit05} finite`)
    const gate = row.gate as Record<string, { publish: boolean, reasons: string[], days: number }>
    t.same(Object.keys(gate), CANDIDATES)
    for (const name of CANDIDATES) t.ok(typeof gate[name].publish === 'boolean' && gate[name].reasons.length > 0, `${label}: ${name} verdict with reasons`)
    t.ok(row.publishes === null || (CANDIDATES.includes(row.publishes as string) && gate[row.publishes as string].publish), `${label}: publishes ${String(row.publishes)} passed the gate`)
    const refit = row.refit05 as { impactCoef?: { value: number, stdErr: number } }
    t.ok(refit.impactCoef !== undefined && refit.impactCoef.value > 0 && refit.impactCoef.stdErr > 0, `${label}: eta of the refit > 0 with a s.e.`)
  }
  const numbers = numbersIn(json as unknown as Json, 'report', [])
  t.ok(numbers.length > 100 && numbers.every(([, v]) => Number.isFinite(v)), `${numbers.length} numbers, all finite`)

  const periods = json.bybitInverse.periods
  t.same(periods.map((p) => p.bars), [2012, 1006, 1006], 'Bybit inverse: all, two halves (PROVENANCE.md: 2,012 bars)')
  for (const p of periods) {
    // BTC daily vol 0.5 % .. 20 %, ADV positive: loose bounds that catch unit slips (x sqrt(1440), USD vs BTC)
    t.ok(p.volDaily > 0.005 && p.volDaily < 0.2, `volDaily ${p.volDaily} plausible`)
    t.ok(p.advBase > 100 && p.advBase < 1e6, `advBase ${p.advBase} BTC/day plausible (turnover is BTC for inverse)`)
  }
  t.ok(Math.abs(json.bybitInverse.ratio.volDaily - periods[2].volDaily / periods[1].volDaily) < 1e-12, 'ratio = second / first half')

  // the execution model: windows of every length from 2023-02 (train) and 2026-02 (test), both fits scored on each length
  const em = report.executionModel
  t.same(em.perLength.map((r) => r.lengthMinutes), [1, 5, 15, 60, 240], 'one execution-model row per window length (issue 13: 1, 5, 15, 60, 240 min)')
  for (const row of em.perLength) t.ok(row.windows.train > 0 && row.windows.test > 0 && Number.isFinite(row.outOfSampleR2.istar) && Number.isFinite(row.outOfSampleR2.sqrt), `${row.lengthMinutes} min: windows and both R^2`)
  t.equal(em.winner === 'i-star', em.pooledOutOfSampleR2.istar > em.pooledOutOfSampleR2.sqrt, 'the winner has the higher pooled out-of-sample R^2')
  t.ok(em.povRange.min > 0 && em.povRange.max <= 1, 'POV in (0, 1]')
  // issue 15: the calibration of both fits' predicted cost distributions on the test windows
  t.same(em.calibration.perLength.map((r) => [r.lengthMinutes, r.windows]), em.perLength.map((r) => [r.lengthMinutes, r.windows.test]), 'calibration scored on every test window, per length')
  for (const row of em.calibration.perLength) t.ok(row.sqrt.n === row.windows && row.sqrt.bandCoverage !== null && row.istar.stdZ !== null, `${row.lengthMinutes} min: coverage and std z`)

  const table = formatReport(report)
  t.match(table, /Execution model \(I-Star/)
  t.match(table, /Speed: .*the rate part (can|cannot) be told from zero|Speed: .*not identified/)
  t.match(table, /\| data set +\| window +\| train \/ test windows \(test days\) +\| delta ± s\.e\./, 'Markdown table header')
  t.match(table, /2023-02 -> 2026-02 LINK/)
  t.match(table, /Calibration of the predicted cost distribution on the held-out windows/)
})

t.test('tape market stand-ins use only the earlier part of the session (by hand)', async (t) => {
  const T = 1_722_902_400_000
  const session: TapeSession = {
    session: 's',
    symbol: 'BTCUSDT',
    trades: [
      { tsMs: T, side: 'buy', sizeBase: 1, priceQuote: 100 },
      { tsMs: T + 5_000, side: 'sell', sizeBase: 2, priceQuote: 101 },
      { tsMs: T + 12_000, side: 'buy', sizeBase: 1, priceQuote: 99 },
      { tsMs: T + 20_000, side: 'buy', sizeBase: 3, priceQuote: 100 }
    ],
    books: [{ tsMs: T + 10_000, relSpread: 0.001 }, { tsMs: T + 16_000, relSpread: 0.002 }]
  }
  const marketAt = sessionMarketAt(session, 10_000, 5_000)
  const m = marketAt(T + 15_000)
  // trades before T + 15 s: 1 + 2 + 1 = 4 base in 15 s -> 4 / 15,000 ms * 86,400,000 ms = 23,040 per day
  t.ok(m !== undefined && Math.abs(m.advBase - 23_040) < 1e-9, `advBase ${m?.advBase} = 23040 (hand)`)
  // grid prices at T + 5, 10, 15 s (last trade strictly before): 100, 101, 99; stdev of the two log
  // returns = |a - b| / sqrt(2), times sqrt(86,400,000 / 5,000)
  const a = Math.log(101 / 100)
  const b = Math.log(99 / 101)
  const expectedVol = Math.abs(a - b) / Math.SQRT2 * Math.sqrt(17_280)
  t.ok(m !== undefined && Math.abs(m.volDaily - expectedVol) < 1e-12, `volDaily ${m?.volDaily} = ${expectedVol} (hand, abs tol 1e-12)`)
  t.equal(m?.relSpread, 0.001, 'the book at T + 10 s, not the later one')
  t.equal(marketAt(T + 5_000), undefined, 'before the warm-up')
  const later = sessionMarketAt({ ...session, trades: [...session.trades.slice(0, 3), { tsMs: T + 15_000, side: 'sell', sizeBase: 100, priceQuote: 50 }, session.trades[3]] }, 10_000, 5_000)
  t.same(later(T + 15_000), m, 'a trade at the window start itself changes nothing')
})
