import t from 'tap'
import fc from 'fast-check'
import { DomainRangeError } from '../../../src/domain/errors.js'
import {
  addDecimal, compareDecimal, decimalToNumber, decimalToString, divideDecimal, multiplyDecimal,
  negateDecimal, numberToDecimal, parseDecimal, roundToMultipleDecimal, signDecimal, subtractDecimal, MAX_DECIMAL_LENGTH
} from '../../../src/domain/impact/decimal.js'

function thrown (call: () => unknown): unknown {
  try { call() } catch (err) { return err }
  return undefined
}
const dec = (text: string) => parseDecimal(text, 'x', true)
const str = decimalToString

t.test('parseDecimal keeps the digits and scale exactly', async (t) => {
  t.same(parseDecimal('84000.10', 'price'), { units: 8400010n, scale: 2 })
  t.same(parseDecimal('0.005', 'size'), { units: 5n, scale: 3 })
  t.same(parseDecimal('7', 'size'), { units: 7n, scale: 0 })
  t.same(parseDecimal('-1.5', 'x', true), { units: -15n, scale: 1 })
  t.equal(str(parseDecimal('00012.3400', 'x')), '12.34', 'leading and trailing zeros dropped when printed')
})

t.test('parseDecimal rejects what is not a plain decimal, naming the field', async (t) => {
  const bad = ['', '1e5', '1E5', '+1', '-1', '.5', '5.', ' 1', '1 ', '1,5', 'NaN', 'Infinity', '0x10', '1.2.3', '--1', '1'.repeat(MAX_DECIMAL_LENGTH + 1)]
  for (const text of bad) {
    const err = thrown(() => parseDecimal(text, 'bids[3].price'))
    t.ok(err instanceof DomainRangeError, `${JSON.stringify(text).slice(0, 20)} rejected`)
    t.equal((err as DomainRangeError).param, 'bids[3].price')
  }
  t.ok(thrown(() => parseDecimal('-', 'x', true)) instanceof DomainRangeError, 'a bare sign')
  t.ok(thrown(() => parseDecimal('+2', 'x', true)) instanceof DomainRangeError, 'a plus sign even when signed')
  t.ok(thrown(() => parseDecimal(12 as unknown as string, 'x')) instanceof DomainRangeError, 'a number is not a string')
})

t.test('numberToDecimal takes the shortest round-trip string, expanding exponents exactly', async (t) => {
  const cases: Array<[number, string]> = [
    [0.1, '0.1'], [0.3, '0.3'], [0.1 + 0.2, '0.30000000000000004'], [1e-7, '0.0000001'], [1.5e-7, '0.00000015'],
    [-2.5e-8, '-0.000000025'], [1e21, '1000000000000000000000'], [1.23e22, '12300000000000000000000'], [0, '0'], [-0, '0'],
    [123456.789, '123456.789'], [5e-324, `0.${'0'.repeat(323)}5`]
  ]
  for (const [x, expected] of cases) t.equal(str(numberToDecimal(x, 'q')), expected, `${x}`)
  for (const x of [NaN, Infinity, -Infinity]) {
    const err = thrown(() => numberToDecimal(x, 'qtyBase'))
    t.ok(err instanceof DomainRangeError && err.param === 'qtyBase', `${x} rejected`)
  }
})

t.test('numberToDecimal then decimalToNumber returns the same double (fast-check, seed 4101)', async (t) => {
  fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
    const back = decimalToNumber(numberToDecimal(x, 'x'))
    return back === x || (back === 0 && x === 0)
  }), { seed: 4101, numRuns: 2000 })
  t.pass('2000 doubles round-trip')
})

t.test('add, subtract, multiply and compare are exact across scales', async (t) => {
  t.equal(str(addDecimal(dec('0.1'), dec('0.2'))), '0.3', '0.1 + 0.2 = 0.3 exactly (binary: 0.30000000000000004)')
  t.equal(str(subtractDecimal(dec('100.15'), dec('0.0500'))), '100.1')
  t.equal(str(subtractDecimal(dec('1'), dec('1.001'))), '-0.001')
  t.equal(str(multiplyDecimal(dec('100.2'), dec('0.5'))), '50.1')
  t.equal(str(multiplyDecimal(dec('-0.3'), dec('0.1'))), '-0.03')
  t.equal(str(negateDecimal(dec('2.50'))), '-2.5')
  t.equal(compareDecimal(dec('1.10'), dec('1.1')), 0)
  t.equal(compareDecimal(dec('1.09'), dec('1.1')), -1)
  t.equal(compareDecimal(dec('2'), dec('1.999999999999999999999')), 1)
  t.equal(str(dec('0.000')), '0')
  t.same([signDecimal(dec('-0.01')), signDecimal(dec('0.00')), signDecimal(dec('3'))], [-1, 0, 1])
  t.equal(decimalToNumber(dec('-0.000')), 0)
  t.ok(Object.is(decimalToNumber(negateDecimal(dec('0'))), 0), 'never -0')
})

t.test('divideDecimal rounds half to even at the stated significant digits', async (t) => {
  // expected values written out by hand from the exact quotients
  const cases: Array<[string, string, number, string]> = [
    ['2', '3', 5, '0.66667'],
    ['1', '8', 1, '0.1'], // 0.125 -> 0.1
    ['0.125', '1', 2, '0.12'], // tie, 2 is even
    ['0.135', '1', 2, '0.14'], // tie, 3 is odd: up
    ['-0.125', '1', 2, '-0.12'], // symmetric
    ['0.1250000001', '1', 2, '0.13'], // just above the tie
    ['9.995', '1', 3, '10'], // tie, 9.99 odd: carries to 10.0
    ['1000000', '3', 3, '333000'], // quotient above 10^digits: scale 0, zeros appended
    ['1', '7', 17, '0.14285714285714286'],
    ['100.15', '1', 12, '100.15'], // exact quotient: no padding
    ['-1', '-4', 3, '0.25'],
    ['1', '-4', 3, '-0.25'],
    ['0', '7', 3, '0']
  ]
  for (const [a, b, digits, expected] of cases) t.equal(str(divideDecimal(dec(a), dec(b), digits)), expected, `${a} / ${b} to ${digits}`)
  t.equal((thrown(() => divideDecimal(dec('1'), dec('0.0'), 5)) as DomainRangeError).param, 'denominator')
  for (const digits of [0, 101, 2.5, NaN]) {
    t.equal((thrown(() => divideDecimal(dec('1'), dec('3'), digits)) as DomainRangeError).param, 'significantDigits', `${digits} digits`)
  }
})

t.test('divideDecimal is within half a unit in the last digit (fast-check, seed 4102)', async (t) => {
  const decimalText = fc.tuple(fc.bigInt({ min: 1n, max: 10n ** 30n }), fc.integer({ min: 0, max: 25 }))
  fc.assert(fc.property(decimalText, decimalText, fc.integer({ min: 1, max: 30 }), ([an, as], [bn, bs], digits) => {
    const a = { units: an, scale: as }
    const b = { units: bn, scale: bs }
    const q = divideDecimal(a, b, digits)
    // independent check by cross-multiplying: |q - a/b| <= ulp/2, where the unit in the last
    // place is 10^(max(L - digits, 0) - q.scale) for a result of L digits (the looser one after a
    // carry such as 9.995 -> 10.0), i.e. 2 * |q.units * b.units * 10^a.scale - a.units * 10^(q.scale
    // + b.scale)| <= b.units * 10^a.scale * 10^max(L - digits, 0)
    const p10 = (e: number) => 10n ** BigInt(e)
    const lhs = q.units * bn * p10(as)
    const rhs = an * p10(q.scale + bs)
    const diff = lhs > rhs ? lhs - rhs : rhs - lhs
    const length = q.units.toString().length
    const significant = q.units.toString().replace(/0+$/, '').length
    return 2n * diff <= bn * p10(as) * p10(Math.max(length - digits, 0)) && significant <= digits
  }), { seed: 4102, numRuns: 500 })
  t.pass('500 random quotients')
})

t.test('roundToMultipleDecimal: nearest multiple, ties to even', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['1.0005', '0.001', '1'], // tie, 1000 even
    ['1.0015', '0.001', '1.002'], // tie, 1001 odd: up
    ['1.00151', '0.001', '1.002'],
    ['0.3334', '0.01', '0.33'],
    ['2.5', '1', '2'],
    ['3.5', '1', '4'],
    ['-2.5', '1', '-2'],
    ['7', '0.25', '7'],
    ['7.13', '0.25', '7.25'],
    ['0.0004', '0.001', '0']
  ]
  for (const [value, step, expected] of cases) t.equal(str(roundToMultipleDecimal(dec(value), dec(step))), expected, `${value} to ${step}`)
  t.equal((thrown(() => roundToMultipleDecimal(dec('1'), dec('0'))) as DomainRangeError).param, 'step')
})
