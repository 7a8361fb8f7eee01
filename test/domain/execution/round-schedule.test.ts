import t from 'tap'
import fc from 'fast-check'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { roundTradesToStep } from '../../../src/domain/execution/round-schedule.js'
import { optimalSchedule } from '../../../src/domain/execution/almgren-chriss.js'

function thrown (call: () => unknown): unknown {
  try { call() } catch (err) { return err }
  return undefined
}

/**
 * Independent reference: a plain decimal string as an integer count of 10^-SCALE units (string
 * manipulation only, no shared code with src/domain/impact/decimal.ts).
 */
const SCALE = 12
function toUnits (text: string): bigint {
  const negative = text.startsWith('-')
  const [whole, fraction = ''] = (negative ? text.slice(1) : text).split('.')
  if (fraction.length > SCALE) throw new Error(`reference: ${text} has more than ${SCALE} decimals`)
  const units = BigInt(whole + fraction.padEnd(SCALE, '0'))
  return negative ? -units : units
}
/** Nearest multiple of step (both in units), ties to even. */
function roundUnits (value: bigint, step: bigint): bigint {
  const quotient = value / step
  const twice = 2n * (value - quotient * step)
  return (twice > step || (twice === step && quotient % 2n === 1n) ? quotient + 1n : quotient) * step
}

t.test('hand-computed: remainders carry forward', async (t) => {
  // cumulative 0.3334, 0.6667, 1.0000 round to 0.33, 0.67, 1.00: children 0.33, 0.34, 0.33
  const result = roundTradesToStep([0.3334, 0.3333, 0.3333], '0.01')
  t.same(result.tradesExact, ['0.33', '0.34', '0.33'])
  t.same(result.trades, [0.33, 0.34, 0.33])
  t.equal(result.residualBase, 0)
  // naive per-child rounding would give 0.33 * 3 = 0.99 and drop 0.01
  const tenths = roundTradesToStep(new Array<number>(100).fill(0.1), '1')
  // cumulative k/10 rounds half-even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, ...: the total is exactly 10
  t.equal(tenths.tradesExact.reduce((sum, x) => sum + Number(x), 0), 10)
  t.equal(tenths.residualBase, 0)
  t.ok(tenths.trades.every((x) => x === 0 || x === 1), 'each child is 0 or 1 lot')
  // ten children of 0.1 sum to 0.9999999999999999 in doubles; taken as decimals they are 1 in full
  const dimes = new Array<number>(10).fill(0.1)
  t.not(dimes.reduce((a, b) => a + b, 0), 1, 'the float sum misses 1')
  const roundedDimes = roundTradesToStep(dimes, '0.001')
  t.equal(roundedDimes.trades.reduce((a, b) => a + b, 0), dimes.reduce((a, b) => a + b, 0), 'the same ten 0.1 children')
  t.equal(roundedDimes.residualBase, 0)
  // 10 / 7 seven times: cumulative k * 1.4285714285714286 rounds to 1.429, 2.857, 4.286, ...
  const floats = new Array<number>(7).fill(10 / 7)
  const sevenths = roundTradesToStep(floats, 0.001)
  t.same(sevenths.tradesExact, ['1.429', '1.428', '1.429', '1.428', '1.429', '1.428', '1.429'])
  t.ok(Math.abs(sevenths.residualBase) < 1e-12, `residual ${sevenths.residualBase} is float dust`)
})

t.test('minOrderQty: small children merge forward; the last merges back', async (t) => {
  // cumulative .0004 .0008 .0012 .0016 .0020 -> 0 .001 .001 .002 .002; .001 < .002 is held back
  const forward = roundTradesToStep([0.0004, 0.0004, 0.0004, 0.0004, 0.0004], '0.001', 0.002)
  t.same(forward.tradesExact, ['0', '0', '0', '0.002', '0'])
  t.equal(forward.residualBase, 0)
  // cumulative .005 .0062 -> .005 .006: the last child .001 < .002 joins the previous one
  const back = roundTradesToStep([0.005, 0.0012], '0.001', '0.002')
  t.same(back.tradesExact, ['0.006', '0'])
  // total .001 below minOrderQty: nothing can be sent, all of it is residual
  const none = roundTradesToStep([0.0005, 0.0005], '0.001', 0.002)
  t.same(none.tradesExact, ['0', '0'])
  t.equal(none.residualBase, 0.001)
  t.same(roundTradesToStep([], '0.001', 1), { trades: [], tradesExact: [], residualBase: 0 })
})

t.test('buy schedules (negative trades) mirror sells', async (t) => {
  const buy = roundTradesToStep([-0.3334, -0.3333, -0.3333], '0.01')
  t.same(buy.tradesExact, ['-0.33', '-0.34', '-0.33'])
  t.same(buy.trades, [-0.33, -0.34, -0.33])
  const buyMin = roundTradesToStep([-0.005, -0.0012], '0.001', 0.002)
  t.same(buyMin.tradesExact, ['-0.006', '0'])
  t.ok(Object.is(buyMin.trades[1], 0), 'a zero child is +0')
})

t.test('an Almgren-Chriss schedule rounds to the lot size and sums to the parent', async (t) => {
  const schedule = optimalSchedule({
    initialHoldingsBase: 37.5,
    periods: 13,
    horizonDays: 1,
    volQuote: 1500,
    permanentImpact: 1e-6,
    temporaryImpact: 1e-3,
    riskAversion: 1e-6,
    halfSpreadQuote: 0.05
  })
  t.ok(schedule.tradesBase.some((x) => !Number.isInteger(x * 1000)), 'the raw schedule is not on the lot grid')
  const rounded = roundTradesToStep(schedule.tradesBase, '0.001', 0.001)
  t.equal(rounded.tradesExact.reduce((sum, x) => sum + toUnits(x), 0n), toUnits('37.5'), 'exactly 37.5 in total')
  t.ok(rounded.tradesExact.every((x) => toUnits(x) % toUnits('0.001') === 0n), 'every child a multiple of 0.001')
})

t.test('invalid inputs throw DomainRangeError naming the field', async (t) => {
  const cases: Array<[string, () => unknown]> = [
    ['qtyStep', () => roundTradesToStep([1], '0')],
    ['qtyStep', () => roundTradesToStep([1], 0)],
    ['qtyStep', () => roundTradesToStep([1], -0.01)],
    ['qtyStep', () => roundTradesToStep([1], '1e-3')],
    ['qtyStep', () => roundTradesToStep([1], NaN)],
    ['minOrderQty', () => roundTradesToStep([1], '0.01', -1)],
    ['minOrderQty', () => roundTradesToStep([1], '0.01', 'abc')],
    ['tradesBase[1]', () => roundTradesToStep([1, Infinity], '0.01')],
    ['tradesBase[2]', () => roundTradesToStep([1, 0, -1], '0.01')]
  ]
  for (const [param, call] of cases) {
    const err = thrown(call)
    t.ok(err instanceof DomainRangeError, `${param}: ${(err as Error)?.message}`)
    t.equal((err as DomainRangeError).param, param)
  }
  t.ok(thrown(() => roundTradesToStep('1,2' as unknown as number[], '1')) instanceof TypeError)
})

const steps = ['0.001', '1', '0.01', '0.25'] as const
/** trades in multiples of 10^-6 (so the reference can hold them exactly), some zero */
const microTrades = fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 50_000_000 })), { minLength: 1, maxLength: 60 })

t.test('rounded schedules: exact sum, multiples of the step, bounded drift (fast-check, seed 4104)', async (t) => {
  fc.assert(fc.property(microTrades, fc.constantFrom(...steps), fc.boolean(), (micros, stepText, asNumber) => {
    const tradesBase = micros.map((m) => m / 1e6)
    const result = roundTradesToStep(tradesBase, asNumber ? Number(stepText) : stepText)
    const step = toUnits(stepText)
    const original = micros.map((m) => BigInt(m) * 10n ** BigInt(SCALE - 6))
    let cumulativeOriginal = 0n
    let cumulativeRounded = 0n
    for (let k = 0; k < micros.length; k++) {
      const child = toUnits(result.tradesExact[k])
      if (child < 0n || child % step !== 0n) return false // non-negative multiple of the step
      if (result.trades[k] !== Number(result.tradesExact[k])) return false
      cumulativeOriginal += original[k]
      cumulativeRounded += child
      const drift = cumulativeRounded - cumulativeOriginal
      if (2n * (drift < 0n ? -drift : drift) > step) return false // within step / 2 (<= step asked)
    }
    if (cumulativeRounded !== roundUnits(cumulativeOriginal, step)) return false // no drift in the total
    return Math.abs(result.residualBase - Number(cumulativeOriginal - cumulativeRounded) / 10 ** SCALE) <= 1e-12
  }), { seed: 4104, numRuns: 400 })
  t.pass('400 random schedules over steps 0.001, 1, 0.01, 0.25')
})

t.test('with minOrderQty: no child below it, total kept, drift within minOrderQty + step / 2 (fast-check, seed 4105)', async (t) => {
  fc.assert(fc.property(microTrades, fc.constantFrom(...steps), fc.integer({ min: 1, max: 40 }), (micros, stepText, minLots) => {
    const step = toUnits(stepText)
    const minimum = step * BigInt(minLots)
    const minimumText = (Number(stepText) * minLots).toFixed(3)
    const result = roundTradesToStep(micros.map((m) => m / 1e6), stepText, minimumText)
    const total = roundUnits(micros.reduce((sum, m) => sum + BigInt(m) * 10n ** BigInt(SCALE - 6), 0n), step)
    let cumulativeOriginal = 0n
    let cumulativeRounded = 0n
    for (let k = 0; k < micros.length; k++) {
      const child = toUnits(result.tradesExact[k])
      if (child < 0n || child % step !== 0n || (child > 0n && child < minimum)) return false
      cumulativeOriginal += BigInt(micros[k]) * 10n ** BigInt(SCALE - 6)
      cumulativeRounded += child
      const drift = cumulativeRounded - cumulativeOriginal
      if (total >= minimum && 2n * (drift < 0n ? -drift : drift) > 2n * minimum + step) return false
    }
    return cumulativeRounded === (total >= minimum ? total : 0n)
  }), { seed: 4105, numRuns: 400 })
  t.pass('400 random schedules with a minimum order size')
})

t.test('arbitrary doubles keep the exact-sum invariant (fast-check, seed 4106)', async (t) => {
  const doubles = fc.array(fc.double({ min: 0, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 30 })
  fc.assert(fc.property(doubles, fc.constantFrom(...steps), (tradesBase, stepText) => {
    const result = roundTradesToStep(tradesBase, stepText)
    const stepValue = Number(stepText)
    const total = result.trades.reduce((sum, x) => sum + x, 0)
    const inputTotal = tradesBase.reduce((sum, x) => sum + x, 0)
    // each child a whole number of steps (to float precision), totals within half a step (+ float dust)
    return result.trades.every((x) => x >= 0 && Math.abs(x / stepValue - Math.round(x / stepValue)) < 1e-6) &&
      Math.abs(total - inputTotal) <= stepValue / 2 + 1e-9 * Math.max(1, inputTotal)
  }), { seed: 4106, numRuns: 300 })
  t.pass('300 schedules of arbitrary doubles')
})
