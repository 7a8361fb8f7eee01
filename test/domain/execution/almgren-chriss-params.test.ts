import t from 'tap'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { ETA_TILDE_RULE, validateAlmgrenChrissParams } from '../../../src/domain/execution/almgren-chriss-params.js'
import {
  efficientFrontier,
  optimalSchedule,
  riskAversionGrid,
  trajectoryCost,
  type AlmgrenChrissParams
} from '../../../src/domain/execution/almgren-chriss.js'

const VALID: AlmgrenChrissParams = {
  initialHoldingsBase: 1e6,
  horizonDays: 5,
  periods: 5,
  riskAversion: 1e-6,
  volQuote: 0.95,
  permanentImpact: 2.5e-7,
  temporaryImpact: 2.5e-6,
  halfSpreadQuote: 1 / 16
}

/** Runs fn and returns the DomainRangeError it throws (fails the test otherwise). */
function domainError (t: { fail (message: string): unknown }, fn: () => unknown, label: string): DomainRangeError | undefined {
  try {
    fn()
  } catch (err) {
    if (err instanceof DomainRangeError) return err
    t.fail(`${label}: threw ${String(err)} instead of DomainRangeError`)
    return undefined
  }
  t.fail(`${label}: did not throw`)
  return undefined
}

const BAD: Array<[keyof AlmgrenChrissParams, number]> = [
  ['initialHoldingsBase', 0],
  ['initialHoldingsBase', NaN],
  ['initialHoldingsBase', Infinity],
  ['horizonDays', 0],
  ['horizonDays', -1],
  ['horizonDays', Infinity],
  ['horizonDays', 5e-324], // finite and > 0, but T/N underflows to 0
  ['periods', 0],
  ['periods', 1.5],
  ['periods', 10_001],
  ['periods', NaN],
  ['riskAversion', -1e-9],
  ['riskAversion', Infinity],
  ['volQuote', -0.1],
  ['volQuote', NaN],
  ['permanentImpact', -1e-9],
  ['permanentImpact', Infinity],
  ['temporaryImpact', 0],
  ['temporaryImpact', -1],
  ['temporaryImpact', NaN],
  ['halfSpreadQuote', -0.01],
  ['halfSpreadQuote', -Infinity]
]

t.test('every invalid input throws DomainRangeError naming the param, in every public function', async (t) => {
  for (const [param, value] of BAD) {
    const p = { ...VALID, [param]: value }
    const label = `${param} = ${value}`
    const calls: Array<[string, () => unknown]> = [
      ['validateAlmgrenChrissParams', () => validateAlmgrenChrissParams(p)],
      ['optimalSchedule', () => optimalSchedule(p)],
      ['trajectoryCost', () => trajectoryCost(p, [1e6, 8e5, 6e5, 4e5, 2e5, 0])]
    ]
    if (param !== 'riskAversion') calls.push(['efficientFrontier', () => efficientFrontier(p, [1e-6])])
    for (const [fnName, call] of calls) {
      const err = domainError(t, call, `${fnName}(${label})`)
      if (err === undefined) continue
      t.equal(err.param, param, `${fnName}(${label}): param`)
      t.ok(err.message.startsWith(`${fnName}: ${param}`), `${fnName}(${label}): message names function and param: ${err.message}`)
      t.ok(err.rule.length > 0, `${fnName}(${label}): has a rule`)
    }
  }
})

t.test('etaTilde <= 0 names temporaryImpact, the rule, and all four inputs with their values', async (t) => {
  // gamma*tau/2 = 2 * 1 / 2 = 1 = eta, so etaTilde = 0
  const p = { ...VALID, temporaryImpact: 1, permanentImpact: 2, horizonDays: 3, periods: 3 }
  const err = domainError(t, () => optimalSchedule(p), 'etaTilde = 0')
  t.equal(err?.param, 'temporaryImpact')
  t.equal(err?.rule, ETA_TILDE_RULE)
  t.equal(err?.rule, 'etaTilde = temporaryImpact - permanentImpact*tauDays/2 must be > 0')
  for (const piece of ['temporaryImpact=1', 'permanentImpact=2', 'horizonDays=3', 'periods=3', 'etaTilde=0']) {
    t.ok(err?.message.includes(piece), `message contains ${piece}: ${err?.message}`)
  }
  // one more period makes tau = 0.75 and etaTilde = 0.25 > 0: valid
  t.same(validateAlmgrenChrissParams({ ...p, periods: 4 }), { tauDays: 0.75, etaTilde: 0.25 })
})

t.test('boundary values that are valid', async (t) => {
  for (const override of [
    { periods: 1 }, { periods: 10_000 }, { riskAversion: 0 }, { volQuote: 0 }, { permanentImpact: 0 },
    { halfSpreadQuote: 0 }, { initialHoldingsBase: -1e-9 }
  ]) {
    t.doesNotThrow(() => optimalSchedule({ ...VALID, ...override }), JSON.stringify(override))
  }
})

t.test('trajectoryCost rejects trajectories of the wrong length, wrong ends or non-finite values', async (t) => {
  for (const [holdings, label] of [
    [[1e6, 5e5, 0], 'too short'],
    [[9e5, 8e5, 6e5, 4e5, 2e5, 0], 'wrong start'],
    [[1e6, 8e5, 6e5, 4e5, 2e5, 1], 'not flat at the end'],
    [[1e6, 8e5, NaN, 4e5, 2e5, 0], 'NaN inside'],
    [[1e6, 8e5, Infinity, 4e5, 2e5, 0], 'Infinity inside']
  ] as const) {
    const err = domainError(t, () => trajectoryCost(VALID, holdings), label)
    t.equal(err?.param, 'holdingsBase', `${label}: param`)
    t.ok(err?.message.startsWith('trajectoryCost: holdingsBase'), `${label}: ${err?.message}`)
  }
})

t.test('efficientFrontier and riskAversionGrid name their bad arguments', async (t) => {
  const { riskAversion: _unused, ...market } = VALID
  for (const [lambdas, label] of [[[], 'empty'], [[1e-6, -1], 'negative'], [[NaN], 'NaN'], [new Array(1001).fill(1), 'too many']] as const) {
    const err = domainError(t, () => efficientFrontier(market, lambdas), label)
    t.equal(err?.param, 'riskAversions', `${label}: param`)
    t.match(err?.message ?? '', /^efficientFrontier/, `${label}: names the function`)
  }
  t.match(domainError(t, () => efficientFrontier(market, [1, 2, -3]), 'index')?.message ?? '', /index 2/, 'names the index')
  for (const [args, param] of [
    [[0, 1, 10], 'minRiskAversion'],
    [[-1, 1, 10], 'minRiskAversion'],
    [[1, 1, 10], 'maxRiskAversion'],
    [[1, Infinity, 10], 'maxRiskAversion'],
    [[1e-6, 1, 1], 'count'],
    [[1e-6, 1, 1001], 'count'],
    [[1e-6, 1, 2.5], 'count']
  ] as const) {
    const err = domainError(t, () => riskAversionGrid(args[0], args[1], args[2]), `riskAversionGrid(${args.join(', ')})`)
    t.equal(err?.param, param, `riskAversionGrid(${args.join(', ')}): param`)
  }
})
