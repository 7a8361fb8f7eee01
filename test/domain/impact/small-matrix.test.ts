import t from 'tap'
import { invertSpd, multiply3, solveSpd } from '../../../src/domain/impact/small-matrix.js'

// A = B^T B for B = [[2, 1, 0], [0, 3, 1], [1, 0, 4]] (symmetric positive definite)
const A = [[5, 2, 4], [2, 10, 3], [4, 3, 17]]

t.test('solveSpd solves A x = b (x = [1, -2, 0.5], 1e-14 absolute)', async (t) => {
  const x = [1, -2, 0.5]
  const b = A.map((row) => row.reduce((acc, v, j) => acc + v * x[j], 0))
  const solved = solveSpd(A, b, [0, 1, 2]) as number[]
  for (let j = 0; j < 3; j++) t.ok(Math.abs(solved[j] - x[j]) < 1e-14, `x[${j}] = ${solved[j]}`)
  // on a subset, the other entries are 0 and the subsystem is solved: 5 x0 + 4 x2 = 9, 4 x0 + 17 x2 = 21
  const sub = solveSpd(A, [9, 0, 21], [0, 2]) as number[]
  t.ok(Math.abs(sub[0] - 1) < 1e-14 && sub[1] === 0 && Math.abs(sub[2] - 1) < 1e-14, `subsystem ${sub}`)
  t.equal(solveSpd([[1, 1], [1, 1]], [1, 1], [0, 1]), null, 'singular: null')
})

t.test('invertSpd: A A^-1 A = A (1e-12 relative) and a dependent column is dropped', async (t) => {
  const { inverse, dropped } = invertSpd(A, [0, 1, 2])
  t.same(dropped, [])
  const back = multiply3(A, inverse, A)
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) t.ok(Math.abs(back[i][j] - A[i][j]) < 1e-12 * 17, `(${i}, ${j})`)
  // column 2 = 2 * column 0: dropped, and the rest is the inverse of the [0, 1] block
  const singular = [[1, 0.5, 2], [0.5, 2, 1], [2, 1, 4]]
  const result = invertSpd(singular, [0, 1, 2])
  t.same(result.dropped, [2])
  const det = 1 * 2 - 0.5 * 0.5
  t.ok(Math.abs(result.inverse[0][0] - 2 / det) < 1e-14 && Math.abs(result.inverse[0][1] + 0.5 / det) < 1e-14, 'block inverse')
  t.equal(result.inverse[2][2], 0, 'dropped rows are 0 until marked')
})
