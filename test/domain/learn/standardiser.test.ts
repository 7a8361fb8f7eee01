import t from 'tap'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { fitScalarStandardiser, fitStandardiser, standardiseRow, standardiserFromJson } from '../../../src/domain/learn/standardiser.js'

t.test('mean and population std per column (hand-computed, 1e-15)', async (t) => {
  // column 0: 1, 2, 3, 6 -> mean 3, variance (4 + 1 + 0 + 9) / 4 = 3.5
  const s = fitStandardiser([[1, 10], [2, 20], [3, 30], [6, 60]])
  t.same(s.mean, [3, 30])
  t.ok(Math.abs(s.std[0] - Math.sqrt(3.5)) < 1e-15, 'std sqrt(3.5)')
  t.ok(Math.abs(s.std[1] - 10 * Math.sqrt(3.5)) < 1e-13, 'std 10 sqrt(3.5)')
  const z = standardiseRow(s, [6, 60])
  t.ok(Math.abs(z[0] - 3 / Math.sqrt(3.5)) < 1e-15 && Math.abs(z[1] - 3 / Math.sqrt(3.5)) < 1e-15, 'standardised value (x - mean) / std')
})

t.test('a constant column gets std 1 and maps to 0, even when rounding leaves a tiny spread', async (t) => {
  const s = fitStandardiser([[0.1, 0], [0.1, 0], [0.1, 0]])
  t.same(s.std, [1, 1])
  t.same(standardiseRow(s, [0.1, 0]), [0, 0])
  // 0.1 + 0.2 != 0.3 in binary: the mean of these is not exactly any of them.
  const scalar = fitScalarStandardiser([0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2, 0.1 + 0.2])
  t.equal(scalar.std, 1)
  t.not(fitScalarStandardiser([1, 1 + 1e-9]).std, 1, 'a genuine spread of 1e-9 is kept')
})

t.test('indices select the rows to fit on; out buffers are reused', async (t) => {
  const rows = [[1], [100], [3]]
  const s = fitStandardiser(rows, [0, 2])
  t.same(s.mean, [2])
  t.same(s.std, [1])
  const out = new Float64Array(1)
  t.equal(standardiseRow(s, [5], out), out, 'writes into and returns the given buffer')
  t.equal(out[0], 3)
  t.throws(() => standardiseRow(s, [1, 2]), RangeError, 'row length mismatch')
  t.throws(() => fitStandardiser([]), DomainRangeError)
  t.throws(() => fitScalarStandardiser([]), DomainRangeError)
})

t.test('standardiserFromJson validates lengths and std > 0, naming the field', async (t) => {
  t.same(standardiserFromJson('f', { mean: [1, 2], std: [1, 3] }, 'standardiser', 2), { mean: [1, 2], std: [1, 3] })
  t.throws(() => standardiserFromJson('f', { mean: [1], std: [1, 3] }, 'standardiser', 2), { name: 'RangeError', message: /standardiser\.mean must have length 2/ })
  t.throws(() => standardiserFromJson('f', { mean: [1, 2], std: [1, -3] }, 'standardiser', 2), { name: 'RangeError', message: /standardiser\.std\[1\] must be > 0/ })
  t.throws(() => standardiserFromJson('f', { mean: [1, null], std: [1, 3] }, 'standardiser', 2), { name: 'TypeError', message: /standardiser\.mean\[1\] must be a finite number/ })
  t.throws(() => standardiserFromJson('f', undefined, 'standardiser', 2), { name: 'TypeError', message: /standardiser must be an object/ })
})
