import t, { type Test } from 'tap'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { createRng } from '../../../src/domain/learn/rng.js'
import { calibrateIStar, fitSquareRootLaw, ISTAR_PARAM_ORDER, lengthWeights, outOfSampleR2, windowImpact, type IStarCalibration, type IStarWindow } from '../../../src/domain/impact/calibrate-istar.js'
import { validateIStarParams, type IStarParams } from '../../../src/domain/impact/istar.js'

const relErr = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected)
function thrown (call: () => unknown): unknown {
  try { call() } catch (err) { return err }
  return undefined
}

const LENGTHS_MIN = [1, 5, 15, 60, 240]
const TRUTH: IStarParams = { a1: 0.9, a2: 0.55, a4: 0.5, b1: 0.9 }

interface SynthOptions { seed: number, params: IStarParams, days: number, perDay: number, noiseScale: number, fixedPov?: number }

/**
 * Seeded synthetic windows: per day and per length L in 1, 5, 15, 60, 240 minutes, `perDay`
 * windows with POV log-uniform in [0.01, 0.6] (or `fixedPov`), window volume ADV * L/1440 * exp(z)
 * (so |Q|/ADV = POV * L/1440 * exp(z)), sigma uniform in [2 %, 5 %] per day, and
 * signedReturn = MI(params) + noiseScale * sigma * sqrt(L/1440) * z'  (z, z' standard normal).
 */
function synthWindows ({ seed, params, days, perDay, noiseScale, fixedPov }: SynthOptions): IStarWindow[] {
  const rng = createRng(seed)
  const windows: IStarWindow[] = []
  for (let d = 0; d < days; d++) {
    const volDaily = 0.02 + 0.03 * rng.next()
    for (const lengthMinutes of LENGTHS_MIN) {
      for (let k = 0; k < perDay; k++) {
        const pov = fixedPov ?? Math.exp(Math.log(0.01) + rng.next() * Math.log(60))
        const sizeFractionOfAdv = pov * (lengthMinutes / 1440) * Math.exp(rng.normal())
        const window = { dayKey: `2026-01-${d}`, lengthMinutes, sizeFractionOfAdv, pov, volDaily, signedReturn: 0 }
        window.signedReturn = windowImpact(params, window) + noiseScale * volDaily * Math.sqrt(lengthMinutes / 1440) * rng.normal()
        windows.push(window)
      }
    }
  }
  return windows
}

function withinSe (t: Test, fit: IStarCalibration, truth: IStarParams, multiple: number, names = ISTAR_PARAM_ORDER): void {
  for (const name of names) {
    const se = fit.clustered.stdErrors[name]
    const gap = Math.abs(fit.params[name] - truth[name])
    t.ok(Number.isFinite(se) && se > 0 && gap <= multiple * se, `${name} = ${fit.params[name].toFixed(4)} within ${multiple} SE (${se.toFixed(4)}) of ${truth[name]}`)
  }
}

t.test('noise-free windows: the fit recovers the parameters to 1e-6 relative', async (t) => {
  const fit = calibrateIStar(synthWindows({ seed: 1, params: TRUTH, days: 10, perDay: 4, noiseScale: 0 }))
  t.ok(fit.converged, `converged in ${fit.iterations} iterations`)
  for (const name of ISTAR_PARAM_ORDER) t.ok(relErr(fit.params[name], TRUTH[name]) < 1e-6, `${name}: ${fit.params[name]}`)
  t.ok(fit.weightedSse < 1e-20, `weighted SSE ${fit.weightedSse}`)
})

// 40 days x 5 lengths x 8 = 1600 windows, noise sd 0.05 sigma sqrt(L / 1 day) (a 1-hour window
// of a 3 %/day asset: 3 bps of noise against about 5 bps of impact at 10 % POV)
const NOISY = synthWindows({ seed: 7, params: TRUTH, days: 40, perDay: 8, noiseScale: 0.05 })

t.test('noisy windows: each parameter within 4 clustered SE, and the report', async (t) => {
  const fit = calibrateIStar(NOISY)
  t.ok(fit.converged)
  withinSe(t, fit, TRUTH, 4)
  const speed = fit.speedEffect
  t.ok(fit.rateTermDistinguishable && speed.z > 4, `rate part told from zero: speed effect ${speed.ratio.toFixed(3)} (z ${speed.z.toFixed(2)}) from POV ${speed.povLow.toFixed(3)} to ${speed.povHigh.toFixed(3)}`)
  // the true speed effect at the same POVs lies within 4 SE of the estimate
  const truthRatio = TRUTH.b1 * (speed.povHigh ** TRUTH.a4 - speed.povLow ** TRUTH.a4) / (1 - TRUTH.b1 + TRUTH.b1 * speed.povLow ** TRUTH.a4)
  t.ok(Math.abs(speed.ratio - truthRatio) <= 4 * speed.stdErr, `true speed effect ${truthRatio.toFixed(3)} within 4 SE (${speed.stdErr.toFixed(3)})`)
  t.same(fit.windowsPerLength, LENGTHS_MIN.map((lengthMinutes) => ({ lengthMinutes, windows: 320 })), '320 windows per length')
  t.equal(fit.days, 40)
  t.same(fit.sizeFractionOfAdvRange, { min: Math.min(...NOISY.map((w) => w.sizeFractionOfAdv)), max: Math.max(...NOISY.map((w) => w.sizeFractionOfAdv)) })
  t.same(fit.povRange, { min: Math.min(...NOISY.map((w) => w.pov)), max: Math.max(...NOISY.map((w) => w.pov)) })
  t.same(fit.fitted, ['a1', 'a2', 'a4', 'b1'])
  t.same(fit.clustered.unidentified, [])
  const cov = fit.clustered.covariance
  for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) t.ok(Math.abs(cov[i][j] - cov[j][i]) <= 1e-12 * Math.sqrt(cov[i][i] * cov[j][j]), `covariance symmetric at ${i},${j}`)
})

t.test('clustered SEs agree with the day-block bootstrap within a factor 2 (200 replicates)', async (t) => {
  const fit = calibrateIStar(NOISY, { bootstrap: { replicates: 200, seed: 11 } })
  const boot = fit.bootstrap
  if (boot === undefined) throw new Error('bootstrap missing')
  t.ok(boot.failedReplicates <= 10, `${boot.failedReplicates} of 200 replicates failed`)
  for (const name of ISTAR_PARAM_ORDER) {
    const ratio = fit.clustered.stdErrors[name] / boot.stdErrors[name]
    t.ok(ratio > 0.5 && ratio < 2, `${name}: clustered / bootstrap SE = ${ratio.toFixed(3)}`)
  }
  const again = calibrateIStar(NOISY, { bootstrap: { replicates: 200, seed: 11 } })
  t.same(again.bootstrap?.covariance, boot.covariance, 'same seed, same bootstrap covariance')
  const other = calibrateIStar(NOISY, { bootstrap: { replicates: 200, seed: 12 } })
  t.not(other.bootstrap?.stdErrors.a1, boot.stdErrors.a1, 'another seed draws other days')
})

t.test('data generated with b1 = 0: the rate part is reported indistinguishable from zero', async (t) => {
  const sizeOnly = { a1: 0.9, a2: 0.5, a4: 0.5, b1: 0 }
  for (const seed of [21, 22, 23, 24, 25]) {
    const windows = synthWindows({ seed, params: sizeOnly, days: 40, perDay: 8, noiseScale: 0.05 })
    const fit = calibrateIStar(windows)
    const speed = fit.speedEffect
    t.doesNotThrow(() => validateIStarParams(fit.params), 'the fit stays inside the bounds')
    // seeds 22 and 23 fit a spurious a4 near 10 with z(b1) ~ 2, z(a4) ~ 3: the speed effect is not fooled
    t.notOk(fit.rateTermDistinguishable, `seed ${seed}: speed effect ${speed.ratio.toExponential(2)}, z ${speed.z.toFixed(2)}, params ${JSON.stringify(fit.params)}`)
    if (seed === 22 || seed === 23) {
      const boot = calibrateIStar(windows, { bootstrap: { replicates: 50, seed } })
      t.notOk(boot.rateTermDistinguishable, `seed ${seed}, bootstrap SE: z ${boot.speedEffect.z.toFixed(2)}`)
    }
    const sqrt = fitSquareRootLaw(windows)
    t.same(sqrt.fitted, ['a1'], 'the square-root law fits a1 only by default')
    t.equal(sqrt.params.a2, 0.5)
    t.equal(sqrt.clustered.stdErrors.a2, 0, 'a fixed parameter has SE 0')
    withinSe(t, sqrt, sizeOnly, 4, ['a1'])
    const free = fitSquareRootLaw(windows, { freeExponent: true })
    withinSe(t, free, sizeOnly, 4, ['a1', 'a2'])
  }
})

t.test('a moderate rate part (b1 = 0.3) is told from zero by the speed effect', async (t) => {
  // seed 9, the design of NOISY with a2 = 0.5 and a rate part a third as large
  const fit = calibrateIStar(synthWindows({ seed: 9, params: { a1: 0.9, a2: 0.5, a4: 0.5, b1: 0.3 }, days: 40, perDay: 8, noiseScale: 0.05 }))
  t.ok(fit.rateTermDistinguishable, `speed effect ${fit.speedEffect.ratio.toFixed(3)}, z ${fit.speedEffect.z.toFixed(2)}`)
})

t.test('square-root law with a2 fixed: closed-form WLS estimate and CR1 variance (1e-9 relative)', async (t) => {
  // MI = a1 h_i with h_i = sigma_i sqrt(s_i) is linear in a1: a1 = sum w y h / sum w h^2, and the
  // CR1 sandwich is G/(G-1) (n-1)/(n-1) sum_days (sum_{i in day} w r h)^2 / (sum w h^2)^2
  const fit = fitSquareRootLaw(NOISY)
  // weights w = 1 / (L n_l m_l) = 1 / (L * sum of squared returns of the length) (lengthWeights)
  const squares = new Map<number, number>()
  for (const w of NOISY) squares.set(w.lengthMinutes, (squares.get(w.lengthMinutes) ?? 0) + w.signedReturn ** 2)
  const weight = (w: IStarWindow): number => 1 / (squares.size * (squares.get(w.lengthMinutes) as number))
  const h = (w: IStarWindow): number => w.volDaily * Math.sqrt(w.sizeFractionOfAdv)
  let num = 0; let den = 0
  for (const w of NOISY) { num += weight(w) * w.signedReturn * h(w); den += weight(w) * h(w) ** 2 }
  const a1 = num / den
  const scores = new Map<string, number>()
  for (const w of NOISY) scores.set(w.dayKey, (scores.get(w.dayKey) ?? 0) + weight(w) * (w.signedReturn - a1 * h(w)) * h(w))
  let meat = 0
  for (const v of scores.values()) meat += v * v
  const variance = (scores.size / (scores.size - 1)) * meat / den ** 2
  t.ok(relErr(fit.params.a1, a1) < 1e-9, `a1 ${fit.params.a1} vs ${a1}`)
  t.ok(relErr(fit.clustered.covariance[0][0], variance) < 1e-9, `var(a1) ${fit.clustered.covariance[0][0]} vs ${variance}`)
})

t.test('constant POV: the rate part is unidentified (NaN rows) and not told from zero', async (t) => {
  const fit = calibrateIStar(synthWindows({ seed: 3, params: TRUTH, days: 20, perDay: 4, noiseScale: 0.05, fixedPov: 0.1 }))
  t.ok(fit.clustered.unidentified.length > 0, `unidentified: ${fit.clustered.unidentified.join(', ')}`)
  for (const name of fit.clustered.unidentified) t.ok(Number.isNaN(fit.clustered.stdErrors[name]), `${name} SE is NaN`)
  t.notOk(fit.rateTermDistinguishable)
})

t.test('each window length counts equally: doubling the 1-minute windows changes nothing', async (t) => {
  const base = calibrateIStar(NOISY)
  const doubled = calibrateIStar([...NOISY, ...NOISY.filter((w) => w.lengthMinutes === 1)])
  t.equal(doubled.windowsPerLength[0].windows, 640)
  // same weighted SSE function, so the same minimiser up to the solver's stopping rule
  for (const name of ISTAR_PARAM_ORDER) t.ok(relErr(doubled.params[name], base.params[name]) < 1e-6, `${name}: ${base.params[name]} vs ${doubled.params[name]}`)
})

t.test('out-of-sample R^2', async (t) => {
  // hand case, weights 1 / (L * sum of squared returns of the length), L = 2: length 1 (one
  // window, 0.001^2 = 1e-6): 1 / 2e-6 = 5e5; length 5 (two, 0.0002^2 + 0.0001^2 = 5e-8): 1e7 each
  const params = { a1: 1, a2: 0.5, a4: 1, b1: 0.5 }
  const windows: IStarWindow[] = [
    { dayKey: 'd1', lengthMinutes: 1, sizeFractionOfAdv: 0.0004, pov: 0.2, volDaily: 0.05, signedReturn: 0.001 },
    { dayKey: 'd1', lengthMinutes: 5, sizeFractionOfAdv: 0.0001, pov: 0.5, volDaily: 0.04, signedReturn: 0.0002 },
    { dayKey: 'd2', lengthMinutes: 5, sizeFractionOfAdv: 0.0009, pov: 1, volDaily: 0.02, signedReturn: -0.0001 }
  ]
  // MI by hand: 0.05*0.02*(0.5 + 0.5*0.2) = 0.0006; 0.04*0.01*0.75 = 0.0003; 0.02*0.03*1 = 0.0006
  const predicted = [0.0006, 0.0003, 0.0006]
  const w = [5e5, 1e7, 1e7]
  const mean = (5e5 * 0.001 + 1e7 * 0.0002 + 1e7 * -0.0001) / (5e5 + 2e7) // sum w y / sum w
  let sse = 0; let sst = 0
  windows.forEach((x, i) => { sse += w[i] * (x.signedReturn - predicted[i]) ** 2; sst += w[i] * (x.signedReturn - mean) ** 2 })
  t.ok(relErr(outOfSampleR2(params, windows), 1 - sse / sst) < 1e-12, 'hand-computed R^2 (1e-12 relative)')
  const clean = synthWindows({ seed: 5, params: TRUTH, days: 5, perDay: 4, noiseScale: 0 })
  t.ok(Math.abs(outOfSampleR2(TRUTH, clean) - 1) < 1e-12, 'the true model explains noise-free windows: R^2 = 1')
  // fit on NOISY, test on fresh days: I-Star beats the horizon-free square-root law when b1 = 0.9
  const heldOut = synthWindows({ seed: 99, params: TRUTH, days: 20, perDay: 8, noiseScale: 0.05 })
  const istarR2 = outOfSampleR2(calibrateIStar(NOISY).params, heldOut)
  const sqrtR2 = outOfSampleR2(fitSquareRootLaw(NOISY).params, heldOut)
  t.ok(istarR2 > sqrtR2 && istarR2 > 0, `held-out R^2: I-Star ${istarR2.toFixed(4)} > square-root ${sqrtR2.toFixed(4)}`)
})

t.test('lengthWeights: every length holds 1/L of the weighted sum of squares, whatever its variance', async (t) => {
  // 1-minute returns +-1e-4 (n = 4) and 240-minute returns +-3e-2 (n = 2): variances 9e4 apart;
  // each length symmetric about 0, so the weighted mean is 0 and the SST about it is sum w y^2
  const lengths = [1, 1, 1, 1, 240, 240]
  const returns = [1e-4, -1e-4, 2e-4, -2e-4, 3e-2, -3e-2]
  const w = lengthWeights(lengths, returns)
  // by hand: 1 / (L * sum of squares of the length) = 1 / (2 * 1e-7) and 1 / (2 * 1.8e-3)
  t.ok(relErr(w[0], 5e6) < 1e-12 && relErr(w[3], 5e6) < 1e-12, `1-minute weight ${w[0]}`)
  t.ok(relErr(w[4], 1 / 3.6e-3) < 1e-12, `240-minute weight ${w[4]}`)
  const mean = returns.reduce((a, y, i) => a + w[i] * y, 0) / w.reduce((a, x) => a + x, 0)
  const part = [0, 0]
  returns.forEach((y, i) => { part[lengths[i] === 1 ? 0 : 1] += w[i] * (y - mean) ** 2 })
  const total = part[0] + part[1]
  t.ok(Math.abs(part[0] / total - 0.5) < 1e-12 && Math.abs(part[1] / total - 0.5) < 1e-12, `shares ${part[0] / total}, ${part[1] / total}`)
  // the same shares on synthetic windows of 5 lengths (not symmetric: about zero, sum_{i in l} w y^2 = 1/L exactly)
  const wNoisy = lengthWeights(NOISY.map((x) => x.lengthMinutes), NOISY.map((x) => x.signedReturn))
  for (const k of LENGTHS_MIN) {
    let sum = 0
    NOISY.forEach((x, i) => { if (x.lengthMinutes === k) sum += wNoisy[i] * x.signedReturn ** 2 })
    t.ok(Math.abs(sum - 0.2) < 1e-12, `${k} min: sum w y^2 = ${sum}`)
  }
  // so the pooled R^2 is the mean of the per-length R^2 here (both about a mean of 0), to 1e-12
  const base: Omit<IStarWindow, 'lengthMinutes' | 'signedReturn'> = { dayKey: 'd', sizeFractionOfAdv: 0.001, pov: 0.1, volDaily: 0.03 }
  const windows = lengths.map((lengthMinutes, i) => ({ ...base, lengthMinutes, signedReturn: returns[i] }))
  const params = { a1: 0.5, a2: 0.5, a4: 0.5, b1: 0.5 }
  const perLength = [1, 240].map((k) => outOfSampleR2(params, windows.filter((x) => x.lengthMinutes === k)))
  t.ok(Math.abs(outOfSampleR2(params, windows) - (perLength[0] + perLength[1]) / 2) < 1e-12, `pooled ${outOfSampleR2(params, windows)} vs per length ${perLength.join(', ')}`)
  // a length whose returns are all 0 has no scale: weight 0, and the other lengths share the weight
  const withZero = lengthWeights([1, 1, 5, 5], [0, 0, 0.01, -0.01])
  t.same([...withZero], [0, 0, 1 / 2e-4, 1 / 2e-4])
})

t.test('bad input throws DomainRangeError naming the parameter', async (t) => {
  const good = NOISY.slice(0, 60)
  const patch = (i: number, field: Partial<IStarWindow>): IStarWindow[] => good.map((w, j) => (j === i ? { ...w, ...field } : w))
  const cases: Array<[string, () => unknown]> = [
    ['windows', () => calibrateIStar([])],
    ['windows', () => calibrateIStar(good.map((w) => ({ ...w, dayKey: 'one-day' })))],
    ['windows', () => calibrateIStar(good.slice(0, 4).map((w, i) => ({ ...w, dayKey: `d${i}` })))],
    ['windows[2].pov', () => calibrateIStar(patch(2, { pov: 1.2 }))],
    ['windows[2].pov', () => calibrateIStar(patch(2, { pov: 0 }))],
    ['windows[0].dayKey', () => calibrateIStar(patch(0, { dayKey: '' }))],
    ['windows[3].sizeFractionOfAdv', () => calibrateIStar(patch(3, { sizeFractionOfAdv: 0 }))],
    ['windows[4].volDaily', () => calibrateIStar(patch(4, { volDaily: NaN }))],
    ['windows[5].signedReturn', () => calibrateIStar(patch(5, { signedReturn: Infinity }))],
    ['windows[6].lengthMinutes', () => fitSquareRootLaw(patch(6, { lengthMinutes: -1 }))],
    ['options.bootstrap.replicates', () => calibrateIStar(good, { bootstrap: { replicates: 5, seed: 1 } })],
    ['options.bootstrap.seed', () => calibrateIStar(good, { bootstrap: { replicates: 20, seed: 0.5 } })],
    ['options.maxIterations', () => calibrateIStar(good, { maxIterations: 0 })],
    ['windows', () => outOfSampleR2(TRUTH, good.map((w) => ({ ...w, signedReturn: 0.001 })))],
    ['windows[1].pov', () => outOfSampleR2(TRUTH, patch(1, { pov: -0.5 }))],
    ['windows', () => calibrateIStar(good.map((w) => ({ ...w, signedReturn: 0 })))],
    ['windows', () => lengthWeights([1, 5], [0, 0])],
    ['windows', () => lengthWeights([1, 5], [0.01])]
  ]
  for (const [param, call] of cases) {
    const err = thrown(call)
    t.ok(err instanceof DomainRangeError && err.param === param && err.message.includes(param), `rejects ${param}: ${String(err)}`)
  }
})
