import t from 'tap'
import fc from 'fast-check'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { createRng, type Rng } from '../../../src/domain/learn/rng.js'
import {
  fitLinearRegression, fitNonNegativeLinear, linearFromJson, linearToJson, predictLinear, type LinearModel
} from '../../../src/domain/learn/linear-regression.js'

/** Raw-unit coefficients [intercept, b_1..b_d] from the standardised ones. */
function rawCoefficients (model: LinearModel): number[] {
  const { mean, std } = model.standardiser
  const slopes = model.coefficients.map((c, j) => c / std[j])
  const intercept = model.intercept - slopes.reduce((acc, b, j) => acc + b * mean[j], 0)
  return [intercept, ...slopes]
}

function randomRows (rng: Rng, nRows: number, scales: number[]): number[][] {
  return Array.from({ length: nRows }, () => scales.map((scale) => scale * (rng.next() * 2 - 1) + scale))
}

/**
 * Independent reference: solve the normal equations (X^T X) b = X^T y on the raw design
 * [1, x] by Gaussian elimination with partial pivoting.
 */
function normalEquationsSolve (rows: number[][], targets: number[]): number[] {
  const p = rows[0].length + 1
  const a = Array.from({ length: p }, () => new Array<number>(p + 1).fill(0))
  rows.forEach((row, i) => {
    const x = [1, ...row]
    for (let r = 0; r < p; r++) {
      for (let c = 0; c < p; c++) a[r][c] += x[r] * x[c]
      a[r][p] += x[r] * targets[i]
    }
  })
  for (let col = 0; col < p; col++) {
    let pivot = col
    for (let r = col + 1; r < p; r++) if (Math.abs(a[r][col]) > Math.abs(a[pivot][col])) pivot = r
    ;[a[col], a[pivot]] = [a[pivot], a[col]]
    for (let r = col + 1; r < p; r++) {
      const factor = a[r][col] / a[col][col]
      for (let c = col; c <= p; c++) a[r][c] -= factor * a[col][c]
    }
  }
  const b = new Array<number>(p).fill(0)
  for (let r = p - 1; r >= 0; r--) {
    let acc = a[r][p]
    for (let c = r + 1; c < p; c++) acc -= a[r][c] * b[c]
    b[r] = acc / a[r][r]
  }
  return b
}

t.test('docstring example: y = 1 + 2x on x = 0, 1, 2 (closed form)', async (t) => {
  const model = fitLinearRegression([[0], [1], [2]], [1, 3, 5])
  // x has mean 1 and population std sqrt(2/3): intercept = y at mean x = 3, coefficient = 2 sqrt(2/3).
  t.ok(Math.abs(model.intercept - 3) < 1e-12, `intercept ${model.intercept} = 3 to 1e-12`)
  t.ok(Math.abs(model.coefficients[0] - 2 * Math.sqrt(2 / 3)) < 1e-12, 'coefficient 2 sqrt(2/3) to 1e-12')
  t.same(model.featureNames, ['x0'])
  t.equal(model.trainingRows, 3)
})

t.test('recovers exact coefficients on noiseless data (abs 1e-9, closed form: the generating coefficients)', async (t) => {
  const rng = createRng(1)
  const truth = [2, 3, -0.5, 7, 0.01]
  const rows = randomRows(rng, 200, [1, 10, 0.1, 100])
  const targets = rows.map((row) => truth[0] + row.reduce((acc, x, j) => acc + truth[j + 1] * x, 0))
  const model = fitLinearRegression(rows, targets, { featureNames: ['a', 'b', 'c', 'd'] })
  const raw = rawCoefficients(model)
  raw.forEach((b, j) => t.ok(Math.abs(b - truth[j]) < 1e-9, `coefficient ${j}: ${b} vs ${truth[j]} (abs 1e-9)`))
  const worst = Math.max(...rows.map((row, i) => Math.abs(predictLinear(model, row) - targets[i])))
  t.ok(worst < 1e-9, `max prediction error ${worst} < 1e-9`)
  t.same(model.featureNames, ['a', 'b', 'c', 'd'])
})

t.test('matches the normal-equations solution on noisy data (relative 1e-8, reference solver in this test)', async (t) => {
  const rng = createRng(2)
  const rows = randomRows(rng, 500, [1, 3, 0.5])
  const targets = rows.map((row) => 0.3 + 1.5 * row[0] - 2 * row[1] + 4 * row[2] + 0.7 * rng.normal())
  const model = fitLinearRegression(rows, targets)
  const reference = normalEquationsSolve(rows, targets)
  rawCoefficients(model).forEach((b, j) => {
    const rel = Math.abs(b - reference[j]) / Math.abs(reference[j])
    t.ok(rel < 1e-8, `coefficient ${j}: ${b} vs normal equations ${reference[j]} (relative ${rel.toExponential(2)} < 1e-8)`)
  })
})

t.test('property: residuals are orthogonal to the intercept and every feature (normal equations, 1e-9 x scale)', async (t) => {
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 2 ** 31 }),
    (nFeatures, extraRows, seed) => {
      const rng = createRng(seed)
      const rows = Array.from({ length: nFeatures + 2 + extraRows }, () => Array.from({ length: nFeatures }, () => rng.normal()))
      const targets = rows.map(() => 5 * rng.normal())
      const model = fitLinearRegression(rows, targets)
      const residuals = rows.map((row, i) => targets[i] - predictLinear(model, row))
      const scale = Math.sqrt(targets.reduce((acc, y) => acc + y * y, 0)) * rows.length
      const sums = [residuals.reduce((acc, r) => acc + r, 0)]
      for (let j = 0; j < nFeatures; j++) sums.push(residuals.reduce((acc, r, i) => acc + r * rows[i][j], 0))
      return sums.every((s) => Math.abs(s) < 1e-9 * scale)
    }
  ), { seed: 42, numRuns: 100 })
  t.pass('X^T r = 0 held for 100 random designs')
})

t.test('rank deficiency: a constant column and a duplicated column get coefficient 0, deterministically', async (t) => {
  const rng = createRng(3)
  const base = randomRows(rng, 100, [1, 2])
  const targets = base.map((row) => 1 + row[0] - 3 * row[1] + 0.1 * rng.normal())
  const reference = fitLinearRegression(base, targets)

  const withConstant = fitLinearRegression(base.map((row) => [row[0], 5, row[1]]), targets)
  t.equal(withConstant.coefficients[1], 0, 'constant column: coefficient exactly 0')
  t.equal(withConstant.standardiser.std[1], 1, 'constant column: std stored as 1')
  t.ok(Math.abs(withConstant.coefficients[0] - reference.coefficients[0]) < 1e-12, 'other coefficients unchanged (1e-12)')
  t.ok(Math.abs(withConstant.coefficients[2] - reference.coefficients[1]) < 1e-12, 'other coefficients unchanged (1e-12)')

  // Constant up to rounding (spread 1e-15 relative): still dropped, not fitted to noise.
  const nearlyConstant = fitLinearRegression(base.map((row, i) => [row[0], 0.3 * (1 + (i % 2) * 1e-15), row[1]]), targets)
  t.equal(nearlyConstant.coefficients[1], 0, 'column constant up to 1e-15 relative: coefficient exactly 0')
  t.ok(Math.abs(nearlyConstant.coefficients[2] - reference.coefficients[1]) < 1e-12, 'other coefficients unchanged (1e-12)')

  const withDuplicate = fitLinearRegression(base.map((row) => [row[0], row[1], row[0]]), targets)
  t.equal(withDuplicate.coefficients[2], 0, 'the later copy of a duplicated column gets 0')
  t.ok(Math.abs(withDuplicate.coefficients[0] - reference.coefficients[0]) < 1e-12, 'the first copy keeps the full weight (1e-12)')
  base.forEach((row, i) => {
    if (i % 25 === 0) t.ok(Math.abs(predictLinear(withDuplicate, [row[0], row[1], row[0]]) - predictLinear(reference, row)) < 1e-12, `row ${i}: same prediction as without the copy (1e-12)`)
  })

  const collinear = fitLinearRegression(base.map((row) => [row[0], row[1], 2 * row[0] - row[1]]), targets)
  t.equal(collinear.coefficients[2], 0, 'an exact linear combination of earlier columns gets 0')
  t.same(fitLinearRegression(base.map((row) => [row[0], row[1], row[0]]), targets), withDuplicate, 'same input, identical model')
})

t.test('invalid inputs throw DomainRangeError naming the argument', async (t) => {
  const cases: Array<[string, () => unknown, string]> = [
    ['empty rows', () => fitLinearRegression([], []), 'rows'],
    ['ragged rows', () => fitLinearRegression([[1, 2], [3], [4, 5], [6, 7]], [1, 2, 3, 4]), 'rows'],
    ['NaN feature', () => fitLinearRegression([[1], [Number.NaN], [3]], [1, 2, 3]), 'rows'],
    ['infinite feature', () => fitLinearRegression([[1], [Infinity], [3]], [1, 2, 3]), 'rows'],
    ['fewer rows than columns + 1', () => fitLinearRegression([[1, 2], [3, 4]], [1, 2]), 'rows'],
    ['length mismatch', () => fitLinearRegression([[1], [2], [3]], [1, 2]), 'targets'],
    ['NaN target', () => fitLinearRegression([[1], [2], [3]], [1, Number.NaN, 3]), 'targets'],
    ['feature names', () => fitLinearRegression([[1], [2], [3]], [1, 2, 3], { featureNames: ['a', 'b'] }), 'options.featureNames']
  ]
  for (const [label, run, param] of cases) {
    t.throws(run, DomainRangeError, label)
    try {
      run()
    } catch (err) {
      t.equal((err as DomainRangeError).param, param, `${label}: param ${param}`)
      t.match((err as Error).message, /^fitLinearRegression: /, `${label}: message names the function`)
    }
  }
})

t.test('JSON round trip (stringify/parse) gives identical predictions; linearFromJson validates', async (t) => {
  const rng = createRng(4)
  const rows = randomRows(rng, 60, [1, 2, 3])
  const targets = rows.map((row) => row[0] * 0.3 - row[2] + rng.normal())
  const model = fitLinearRegression(rows, targets, { featureNames: ['p', 'q', 'r'] })
  const json = JSON.parse(JSON.stringify(linearToJson(model))) as Record<string, unknown>
  const loaded = linearFromJson(json)
  t.same(loaded, model, 'same fields after the round trip')
  for (const row of rows) t.equal(predictLinear(loaded, row), predictLinear(model, row), 'bit-identical prediction')

  const broken = (patch: (j: Record<string, any>) => void): unknown => {
    const copy = JSON.parse(JSON.stringify(json)) as Record<string, any>
    patch(copy)
    return copy
  }
  t.throws(() => linearFromJson(broken((j) => { delete j.coefficients })), { name: 'TypeError', message: /coefficients/ }, 'missing coefficients')
  t.throws(() => linearFromJson(broken((j) => { j.coefficients.pop() })), { name: 'RangeError', message: /coefficients must have length 3/ }, 'short coefficients')
  t.throws(() => linearFromJson(broken((j) => { j.coefficients[1] = Number.NaN })), { name: 'TypeError', message: /coefficients\[1\]/ }, 'NaN coefficient')
  t.throws(() => linearFromJson(broken((j) => { j.standardiser.std[0] = 0 })), { name: 'RangeError', message: /standardiser\.std\[0\] must be > 0/ }, 'zero std')
  t.throws(() => linearFromJson(broken((j) => { j.standardiser.mean = [0, 0] })), { name: 'RangeError', message: /standardiser\.mean/ }, 'short mean')
  t.throws(() => linearFromJson(broken((j) => { j.intercept = '1' })), { name: 'TypeError', message: /intercept/ }, 'string intercept')
  t.throws(() => linearFromJson(broken((j) => { j.kind = 'mlp' })), { name: 'TypeError', message: /kind/ }, 'wrong kind')
  t.throws(() => linearFromJson(broken((j) => { j.trainingRows = 2 })), { name: 'RangeError', message: /trainingRows/ }, 'too few training rows')
  t.throws(() => linearFromJson(null), { name: 'TypeError', message: /model must be an object/ }, 'null')
})

t.test('fitNonNegativeLinear: exact non-negative least squares through the origin (issue 14)', async (t) => {
  const raw = (m: LinearModel): number[] => m.coefficients.map((c, j) => c / m.standardiser.std[j])
  // docstring example: y = 2x on x = 1, 2, 3 (closed form: slope 2; std = rms sqrt(14/3))
  const ex = fitNonNegativeLinear([[1], [2], [3]], [2, 4, 6], { columns: [0] })
  t.ok(Math.abs(raw(ex)[0] - 2) < 1e-12 && ex.intercept === 0 && ex.standardiser.mean[0] === 0, 'slope 2, no intercept')
  t.ok(Math.abs(ex.standardiser.std[0] - Math.sqrt(14 / 3)) < 1e-12, 'std is the column rms')
  // noiseless non-negative truth y = 3 x0 + 0.5 x1 is recovered (abs 1e-9, closed form: the generating coefficients)
  const rng = createRng(4)
  const rows = Array.from({ length: 50 }, () => [rng.next(), rng.next(), rng.next()])
  const exact = fitNonNegativeLinear(rows, rows.map(([a, b]) => 3 * a + 0.5 * b), { columns: [0, 1] })
  t.ok(Math.abs(raw(exact)[0] - 3) < 1e-9 && Math.abs(raw(exact)[1] - 0.5) < 1e-9 && exact.coefficients[2] === 0, `recovers [3, 0.5, 0]: ${raw(exact).join(', ')}`)
  // a falling truth y = -x0 gets coefficient 0 (the constrained optimum is b = 0)
  const falling = fitNonNegativeLinear(rows, rows.map(([a]) => -a), { columns: [0] })
  t.equal(falling.coefficients[0], 0, 'y = -x: b = 0')
  // property (fast-check, 200 noisy data sets): the Kuhn-Tucker conditions of min ||y - X b||^2, b >= 0
  // (Lawson & Hanson 1974, ch. 23; necessary and sufficient, so an independent optimality check):
  // b >= 0, gradient g = X^T (X b - y) >= -tol, and b_j g_j = 0 (tol 1e-9 x ||X^T y||)
  fc.assert(fc.property(fc.integer({ min: 1, max: 10_000 }), fc.double({ min: -2, max: 2, noNaN: true }), fc.double({ min: -2, max: 2, noNaN: true }), (seed, b0, b1) => {
    const r = createRng(seed)
    const xs = Array.from({ length: 30 }, () => [r.next(), Math.sqrt(r.next()), r.next()])
    const ys = xs.map(([a, b]) => b0 * a + b1 * b + 0.3 * r.normal())
    const m = fitNonNegativeLinear(xs, ys, { columns: [0, 1] })
    const b = raw(m)
    const scale = Math.max(1e-12, ...[0, 1].map((j) => Math.abs(xs.reduce((acc, x, i) => acc + x[j] * ys[i], 0))))
    return [0, 1].every((j) => {
      const g = xs.reduce((acc, x, i) => acc + x[j] * (b[0] * x[0] + b[1] * x[1] - ys[i]), 0)
      return b[j] >= 0 && g >= -1e-9 * scale && Math.abs(b[j] * g) <= 1e-9 * scale * Math.max(1, b[j])
    }) && m.coefficients[2] === 0 && m.intercept === 0
  }), { numRuns: 200, seed: 14 })
  // predictions: >= 0 and non-decreasing in a chosen column when features are >= 0
  const p = (x0: number): number => predictLinear(exact, [x0, 0.2, 0.7])
  t.ok(p(0) >= 0 && p(0.1) <= p(0.2) && p(0.2) <= p(0.9), 'non-negative, non-decreasing')
  t.throws(() => fitNonNegativeLinear(rows, rows.map(() => 1), { columns: [0, 0] }), { name: 'DomainRangeError', param: 'options.columns' })
  t.throws(() => fitNonNegativeLinear(rows, rows.map(() => 1), { columns: [3] }), { name: 'DomainRangeError', param: 'options.columns' })
  t.throws(() => fitNonNegativeLinear([[1, 2], [2, 3]], [1, 2], { columns: [0, 1] }), { name: 'DomainRangeError', param: 'rows' }, 'needs columns + 1 rows')
})
