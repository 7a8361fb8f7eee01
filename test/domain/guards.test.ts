import t from 'tap'
import { DomainRangeError } from '../../src/domain/errors.js'
import { failRange, requireFinite, requireFiniteOutput, requireNonNegative, requireNumber, requirePositive } from '../../src/domain/guards.js'

function thrown (call: () => unknown): DomainRangeError {
  try { call() } catch (err) {
    if (err instanceof DomainRangeError) return err
    throw err
  }
  throw new Error('did not throw')
}

t.test('each guard names the function, the parameter and the rule', async (t) => {
  const cases: Array<[() => void, string, string, string]> = [
    [() => requireFinite('f', 'x', Number.NaN), 'f: x must be finite (got NaN)', 'x', 'finite'],
    [() => requirePositive('f', 'qtyBase', 0), 'f: qtyBase must be finite and > 0 (got 0)', 'qtyBase', 'finite and > 0'],
    [() => requirePositive('f', 'qtyBase', Infinity), 'f: qtyBase must be finite and > 0 (got Infinity)', 'qtyBase', 'finite and > 0'],
    [() => requireNonNegative('f', 'spreadBps', -1), 'f: spreadBps must be finite and >= 0 (got -1)', 'spreadBps', 'finite and >= 0'],
    [() => requireNumber('trainMlp', 'options.l2', -1, false, '>= 0'), 'trainMlp: options.l2 must be >= 0 (got -1)', 'options.l2', '>= 0'],
    [() => requireNumber('g', 'v', -1, false, 'finite, >= 0', 'a finite number >= 0'), 'g: v must be a finite number >= 0 (got -1)', 'v', 'finite, >= 0'],
    [() => requireFiniteOutput('g', 'qtyBase', Infinity, 1e308), 'g: qtyBase must be small enough that derived costs stay finite (got 1e+308)', 'qtyBase', 'small enough that derived costs stay finite'],
    [() => failRange('g', 'side', "'buy' or 'sell'", 'up'), "g: side must be 'buy' or 'sell' (got up)", 'side', "'buy' or 'sell'"]
  ]
  for (const [call, message, param, rule] of cases) {
    const err = thrown(call)
    t.equal(err.message, message)
    t.equal(err.param, param)
    t.equal(err.rule, rule)
  }
})

t.test('values inside the rule pass', async (t) => {
  t.doesNotThrow(() => requireFinite('f', 'x', -1e300))
  t.doesNotThrow(() => requirePositive('f', 'x', Number.MIN_VALUE))
  t.doesNotThrow(() => requireNonNegative('f', 'x', 0))
  t.doesNotThrow(() => requireNumber('f', 'x', 3, true, 'anything'))
  t.doesNotThrow(() => requireFiniteOutput('f', 'x', 1, Infinity))
})

t.test('a value that is not a number fails even when ok holds', async (t) => {
  t.equal(thrown(() => requireNumber('f', 'x', '5' as unknown as number, true, 'finite')).message, 'f: x must be finite (got 5)')
})
