import t from 'tap'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { calibrateSqrtImpact, CalibrationError, refitImpactCoef, type ImpactSample } from '../../../src/domain/impact/calibrate-sqrt.js'

/** mulberry32: a small seeded uniform RNG on [0, 1), so every run sees the same data. */
function seededUniform (seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let z = state
    z = Math.imul(z ^ (z >>> 15), z | 1)
    z ^= z + Math.imul(z ^ (z >>> 7), z | 61)
    return ((z ^ (z >>> 14)) >>> 0) / 4294967296
  }
}

/** Standard normal by Box-Muller on the seeded uniform. */
function seededNormal (uniform: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
}

interface SynthOptions { seed: number, n: number, eta: number, delta: number, logNoiseSd: number }

/**
 * Synthetic trades from the square-root law with multiplicative lognormal noise:
 * p log-uniform in [1e-5, 0.1], ADV log-uniform in [1e4, 1e6], vol uniform in [1 %, 8 %],
 * half buys, half sells; dP/P = sign(Q) * eta * vol * p^delta * exp(s z).
 */
function synthSamples ({ seed, n, eta, delta, logNoiseSd }: SynthOptions): ImpactSample[] {
  const uniform = seededUniform(seed)
  const normal = seededNormal(uniform)
  const samples: ImpactSample[] = []
  for (let i = 0; i < n; i++) {
    const participation = Math.exp(Math.log(1e-5) + uniform() * Math.log(1e4))
    const advBase = 1e4 * Math.exp(uniform() * Math.log(100))
    const sign = uniform() < 0.5 ? 1 : -1
    const volDaily = 0.01 + 0.07 * uniform()
    samples.push({
      signedQtyBase: sign * participation * advBase,
      advBase,
      volDaily,
      signedReturn: sign * eta * volDaily * participation ** delta * Math.exp(logNoiseSd * normal())
    })
  }
  return samples
}

/** Reference OLS by the textbook normal equations (uncentred sums), written independently here. */
function referenceOls (xs: number[], ys: number[]): { a: number, b: number, seA: number, seB: number } {
  const n = xs.length
  let sx = 0; let sy = 0; let sxx = 0; let sxy = 0
  for (let i = 0; i < n; i++) { sx += xs[i]; sy += ys[i]; sxx += xs[i] * xs[i]; sxy += xs[i] * ys[i] }
  const det = n * sxx - sx * sx
  const b = (n * sxy - sx * sy) / det
  const a = (sy - b * sx) / n
  let sse = 0
  for (let i = 0; i < n; i++) sse += (ys[i] - a - b * xs[i]) ** 2
  const s2 = sse / (n - 2)
  return { a, b, seA: Math.sqrt(s2 * sxx / det), seB: Math.sqrt(s2 * n / det) }
}

function mean (v: number[]): number { return v.reduce((s, x) => s + x, 0) / v.length }
function sampleSd (v: number[]): number { const m = mean(v); return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1)) }
const relErr = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected)
function thrown (call: () => unknown): unknown {
  try { call() } catch (err) { return err }
  return undefined
}

const ETA = 0.7
const DELTA = 0.5

t.test('noise-free data: exact recovery (1e-10 relative), R^2 = 1, smearing = 1', async (t) => {
  const fit = calibrateSqrtImpact(synthSamples({ seed: 1, n: 200, eta: ETA, delta: 0.55, logNoiseSd: 0 }))
  t.ok(relErr(fit.impactCoef, ETA) < 1e-10, `eta ${fit.impactCoef}`)
  t.ok(relErr(fit.impactExponent, 0.55) < 1e-10, `delta ${fit.impactExponent}`)
  t.ok(Math.abs(fit.logR2 - 1) < 1e-12, 'R^2 = 1')
  t.ok(Math.abs(fit.smearingFactor - 1) < 1e-10, 'smearing = mean(exp(0)) = 1')
  t.ok(fit.residualStdLog < 1e-10, 'no residual')
  t.equal(fit.samplesUsed, 200)
})

t.test('noisy data (n = 4000, lognormal s = 0.5): recovers eta and delta within 4 standard errors', async (t) => {
  const samples = synthSamples({ seed: 7, n: 4000, eta: ETA, delta: DELTA, logNoiseSd: 0.5 })
  const fit = calibrateSqrtImpact(samples)
  t.ok(Math.abs(fit.impactExponent - DELTA) < 4 * fit.impactExponentStdErr, `delta ${fit.impactExponent} +- ${fit.impactExponentStdErr}`)
  t.ok(Math.abs(Math.log(fit.impactCoef) - Math.log(ETA)) < 4 * fit.interceptStdErr, `ln eta ${Math.log(fit.impactCoef)} +- ${fit.interceptStdErr}`)
  t.ok(Math.abs(fit.impactCoef - ETA) < 4 * fit.impactCoefStdErr, `eta ${fit.impactCoef} +- ${fit.impactCoefStdErr}`)
  t.ok(fit.impactExponentStdErr < 0.02, 'the fit is informative (se(delta) < 0.02)')
  // residual sd estimates s = 0.5; its sampling sd is ~ s / sqrt(2n) = 0.0056, tolerance 0.03
  t.ok(Math.abs(fit.residualStdLog - 0.5) < 0.03, `residual sd ${fit.residualStdLog}`)

  // closed-form OLS (uncentred normal equations, written above), 1e-9 relative
  const xs = samples.map((s) => Math.log(Math.abs(s.signedQtyBase) / s.advBase))
  const ys = samples.map((s) => Math.log(Math.abs(s.signedReturn) / s.volDaily))
  const ref = referenceOls(xs, ys)
  t.ok(relErr(fit.impactExponent, ref.b) < 1e-9, 'slope matches the reference OLS')
  t.ok(relErr(Math.log(fit.impactCoef), ref.a) < 1e-9, 'intercept matches')
  t.ok(relErr(fit.impactExponentStdErr, ref.seB) < 1e-9, 'se(b) matches the closed form s^2 n / det')
  t.ok(relErr(fit.interceptStdErr, ref.seA) < 1e-9, 'se(a) matches the closed form s^2 sum(x^2) / det')
  t.ok(relErr(fit.impactCoefStdErr, fit.impactCoef * ref.seA) < 1e-9, 'se(eta) = eta * se(a) (delta method)')

  // Duan smearing for lognormal noise: E[exp(s z)] = exp(s^2 / 2) = 1.1331; the sample mean of
  // exp(s z) has sd sqrt((exp(2 s^2) - exp(s^2)) / n) = 0.0095; tolerance 4 sd
  const smearSd = Math.sqrt((Math.exp(0.5) - Math.exp(0.25)) / 4000)
  t.ok(Math.abs(fit.smearingFactor - Math.exp(0.125)) < 4 * smearSd, `smearing ${fit.smearingFactor} vs ${Math.exp(0.125)}`)

  t.ok(fit.participationRange.min >= 1e-5 * (1 - 1e-12) && fit.participationRange.max <= 0.1 * (1 + 1e-12), 'participation range inside the generated [1e-5, 0.1]')
  t.ok(fit.participationRange.min < 2e-5 && fit.participationRange.max > 0.05, 'and spans it')
  t.ok(fit.volDailyRange.min >= 0.01 && fit.volDailyRange.max <= 0.08 && fit.volDailyRange.max - fit.volDailyRange.min > 0.06, 'vol range')
})

t.test('reported standard errors match the spread over 50 seeds (factor 1.5)', async (t) => {
  const a: number[] = []; const b: number[] = []; const eta: number[] = []
  const seA: number[] = []; const seB: number[] = []; const seEta: number[] = []
  for (let seed = 100; seed < 150; seed++) {
    const fit = calibrateSqrtImpact(synthSamples({ seed, n: 2000, eta: ETA, delta: DELTA, logNoiseSd: 0.6 }))
    a.push(Math.log(fit.impactCoef)); b.push(fit.impactExponent); eta.push(fit.impactCoef)
    seA.push(fit.interceptStdErr); seB.push(fit.impactExponentStdErr); seEta.push(fit.impactCoefStdErr)
  }
  // the sd of 50 draws is itself uncertain by ~10 %, so a factor 1.5 cannot fail by chance
  for (const [name, draws, se] of [['ln eta', a, seA], ['delta', b, seB], ['eta', eta, seEta]] as const) {
    const ratio = sampleSd(draws) / mean(se)
    t.ok(ratio > 1 / 1.5 && ratio < 1.5, `${name}: empirical sd / reported se = ${ratio.toFixed(3)}`)
  }
  t.ok(Math.abs(mean(b) - DELTA) < 4 * sampleSd(b) / Math.sqrt(50), `mean delta ${mean(b)} unbiased (4 se of the mean)`)
})

t.test('drops are counted per reason and left out of the fit', async (t) => {
  const good = synthSamples({ seed: 3, n: 300, eta: ETA, delta: DELTA, logNoiseSd: 0.3 })
  const bad: ImpactSample[] = [
    { signedQtyBase: 0, advBase: 1e5, volDaily: 0.02, signedReturn: 0.001 }, // zeroQty
    { signedQtyBase: -0, advBase: 1e5, volDaily: 0.02, signedReturn: -0.001 }, // zeroQty
    { signedQtyBase: 100, advBase: 1e5, volDaily: 0.02, signedReturn: 0 }, // zeroImpact
    { signedQtyBase: 100, advBase: 1e5, volDaily: 0.02, signedReturn: -0.002 }, // priceImprovement (buy, price fell)
    { signedQtyBase: -100, advBase: 1e5, volDaily: 0.02, signedReturn: 0.002 }, // priceImprovement (sell, price rose)
    { signedQtyBase: -100, advBase: 1e5, volDaily: 0.02, signedReturn: 0.003 }, // priceImprovement
    { signedQtyBase: NaN, advBase: 1e5, volDaily: 0.02, signedReturn: 0.001 }, // nonFinite
    { signedQtyBase: 100, advBase: Infinity, volDaily: 0.02, signedReturn: 0.001 }, // nonFinite
    { signedQtyBase: 1e-320, advBase: 1e10, volDaily: 0.02, signedReturn: 0.001 }, // nonFinite: |Q|/V underflows to 0
    { signedQtyBase: 100, advBase: 0, volDaily: 0.02, signedReturn: 0.001 }, // nonPositiveAdvOrVol
    { signedQtyBase: 100, advBase: 1e5, volDaily: 0, signedReturn: 0.001 }, // nonPositiveAdvOrVol
    { signedQtyBase: 100, advBase: 1e5, volDaily: -0.01, signedReturn: 0.001 } // nonPositiveAdvOrVol
  ]
  const mixed = [...bad.slice(0, 6), ...good, ...bad.slice(6)]
  const fit = calibrateSqrtImpact(mixed)
  t.same(fit.samplesDropped, { zeroQty: 2, zeroImpact: 1, priceImprovement: 3, nonFinite: 3, nonPositiveAdvOrVol: 3 })
  t.equal(fit.samplesUsed, 300)
  const clean = calibrateSqrtImpact(good)
  t.equal(fit.impactCoef, clean.impactCoef, 'dropped samples do not touch eta (bitwise equal)')
  t.equal(fit.impactExponent, clean.impactExponent, 'nor delta')
  t.equal(fit.smearingFactor, clean.smearingFactor, 'nor smearing')
})

t.test('fewer than 3 usable samples: CalibrationError INSUFFICIENT_SAMPLES with the drop counts', async (t) => {
  const err = thrown(() => calibrateSqrtImpact([
    { signedQtyBase: 10, advBase: 1e4, volDaily: 0.02, signedReturn: 0.001 },
    { signedQtyBase: 20, advBase: 1e4, volDaily: 0.02, signedReturn: 0.0014 },
    { signedQtyBase: 30, advBase: 1e4, volDaily: 0.02, signedReturn: -0.001 },
    { signedQtyBase: 0, advBase: 1e4, volDaily: 0.02, signedReturn: 0.001 }
  ]))
  t.ok(err instanceof CalibrationError, 'a CalibrationError')
  t.ok(err instanceof DomainRangeError, 'which is a DomainRangeError (routes map it to a 422)')
  if (!(err instanceof CalibrationError)) return
  t.equal(err.code, 'INSUFFICIENT_SAMPLES')
  t.equal(err.param, 'samples')
  t.equal(err.samplesUsed, 2)
  t.same(err.samplesDropped, { zeroQty: 1, zeroImpact: 0, priceImprovement: 1, nonFinite: 0, nonPositiveAdvOrVol: 0 })
  t.match(err.message, /calibrateSqrtImpact.*at least 3/)
  t.ok(thrown(() => calibrateSqrtImpact([])) instanceof CalibrationError, 'empty input too')
  t.ok(thrown(() => calibrateSqrtImpact('x' as unknown as ImpactSample[])) instanceof TypeError, 'non-array is a TypeError')
})

t.test('all-equal sizes are DEGENERATE_SIZES by a relative test', async (t) => {
  const withSizes = (sizes: number[], advBase: number): ImpactSample[] =>
    sizes.map((q, i) => ({ signedQtyBase: q, advBase, volDaily: 0.02, signedReturn: 0.001 * (1 + 0.1 * i) }))
  const code = (samples: ImpactSample[]): string | undefined => {
    const err = thrown(() => calibrateSqrtImpact(samples))
    return err instanceof CalibrationError ? err.code : undefined
  }
  t.equal(code(withSizes([50, 50, 50, 50], 1e4)), 'DEGENERATE_SIZES', 'identical sizes')
  // 1e9 with 1e-14 relative jitter: distinct doubles, but ln|Q|/V differs by ~1e-14 only
  const jittered = [1e9, 1e9 * (1 + 1e-14), 1e9 * (1 - 1e-14), 1e9 * (1 + 2e-14)]
  t.ok(new Set(jittered).size === 4, 'the jittered sizes are distinct doubles')
  t.equal(code(withSizes(jittered, 1e10)), 'DEGENERATE_SIZES', 'large equal sizes with 1e-14 jitter')
  t.equal(code(withSizes(jittered.map((q) => q * 1e-6), 1e4)), 'DEGENERATE_SIZES', 'same at another scale (1e3 of 1e4 ADV)')
  const distinct = [1e9, 1e9 * (1 + 1e-6), 1e9 * (1 + 2e-6)]
  t.equal(code(withSizes(distinct, 1e10)), undefined, 'sizes differing by 1e-6 relative are not degenerate')
  t.equal(code(withSizes([1e-3, 1e-3 * (1 + 1e-6), 1e-3 * (1 - 1e-6)], 1e12)), undefined, 'nor at tiny participation (x ~ -34.5)')
})

t.test('refitImpactCoef: eta with delta fixed, through the origin', async (t) => {
  const exact = synthSamples({ seed: 11, n: 100, eta: 0.9, delta: 0.5, logNoiseSd: 0 })
  const exactFit = refitImpactCoef(exact)
  t.ok(relErr(exactFit.impactCoef, 0.9) < 1e-12, 'noise-free: eta exact (1e-12 relative)')
  t.ok(exactFit.impactCoefStdErr < 1e-12, 'and no standard error')
  const exact06 = synthSamples({ seed: 12, n: 100, eta: 0.4, delta: 0.6, logNoiseSd: 0 })
  t.ok(relErr(refitImpactCoef(exact06, 0.6).impactCoef, 0.4) < 1e-12, 'delta = 0.6 given explicitly')

  // additive noise on the signed return, so many samples show price improvement; those are kept
  const uniform = seededUniform(21)
  const normal = seededNormal(uniform)
  const samples: ImpactSample[] = synthSamples({ seed: 22, n: 3000, eta: 0.6, delta: 0.5, logNoiseSd: 0 })
    .map((s) => ({ ...s, signedReturn: s.signedReturn + 0.002 * normal() }))
  samples.push({ signedQtyBase: 500, advBase: 1e5, volDaily: 0.03, signedReturn: 0 })
  samples.push({ signedQtyBase: 0, advBase: 1e5, volDaily: 0.03, signedReturn: 0.001 })
  samples.push({ signedQtyBase: 5, advBase: 1e5, volDaily: NaN, signedReturn: 0.001 })
  samples.push({ signedQtyBase: 5, advBase: -1, volDaily: 0.02, signedReturn: 0.001 })
  const improving = samples.filter((s) => Math.sign(s.signedQtyBase) * s.signedReturn < 0).length
  t.ok(improving > 300, `${improving} samples show price improvement`)
  const fit = refitImpactCoef(samples)
  t.equal(fit.samplesUsed, 3001, 'price improvement and zero returns are kept')
  t.same(fit.samplesDropped, { zeroQty: 1, zeroImpact: 0, priceImprovement: 0, nonFinite: 1, nonPositiveAdvOrVol: 1 })
  t.ok(Math.abs(fit.impactCoef - 0.6) < 4 * fit.impactCoefStdErr, `eta ${fit.impactCoef} +- ${fit.impactCoefStdErr} within 4 se of 0.6`)

  // closed form through-origin OLS written here: eta = sum(g r) / sum(g^2), se^2 = SSE / (n - 1) / sum(g^2); 1e-9 relative
  const used = samples.filter((s) => s.signedQtyBase !== 0 && s.advBase > 0 && s.volDaily > 0)
  const g = used.map((s) => Math.sign(s.signedQtyBase) * s.volDaily * Math.sqrt(Math.abs(s.signedQtyBase) / s.advBase))
  const sgg = g.reduce((acc, v) => acc + v * v, 0)
  const etaRef = used.reduce((acc, s, i) => acc + g[i] * s.signedReturn, 0) / sgg
  const sse = used.reduce((acc, s, i) => acc + (s.signedReturn - etaRef * g[i]) ** 2, 0)
  t.ok(relErr(fit.impactCoef, etaRef) < 1e-9, 'eta matches the closed form')
  t.ok(relErr(fit.impactCoefStdErr, Math.sqrt(sse / (used.length - 1) / sgg)) < 1e-9, 'se matches the closed form')

  const one = thrown(() => refitImpactCoef([{ signedQtyBase: 5, advBase: 100, volDaily: 0.02, signedReturn: 0.001 }]))
  t.ok(one instanceof CalibrationError && one.code === 'INSUFFICIENT_SAMPLES', 'one usable sample is not enough')
  const badExponent = thrown(() => refitImpactCoef(exact, 0))
  t.ok(badExponent instanceof DomainRangeError && badExponent.param === 'impactExponent', 'impactExponent 0 rejected')
})
