/**
 * Dense linear algebra for the few-parameter least-squares fits (I-Star has 4 parameters):
 * Cholesky factorisation with dependent-column dropping (Golub & Van Loan, Matrix Computations,
 * 4th ed., Alg. 4.2.1). Matrices are number[][], row-major, small (k <= 10), so clarity wins
 * over speed. Internal helpers: no input guards beyond shape.
 */

/** Relative pivot below which a column counts as dependent on the earlier ones. */
export const PIVOT_REL_TOL = 1e-10

/** Outer product accumulation: target += scale * v v^T. */
export function addOuter (target: number[][], v: readonly number[], scale: number): void {
  for (let r = 0; r < v.length; r++) {
    for (let c = 0; c < v.length; c++) target[r][c] += scale * v[r] * v[c]
  }
}

export function zeroMatrix (k: number): number[][] {
  return Array.from({ length: k }, () => new Array<number>(k).fill(0))
}

/**
 * Solves A x = b for symmetric positive definite A restricted to the indices in `active`
 * (other entries of x are 0). Returns null when A is not numerically positive definite there.
 */
export function solveSpd (matrix: readonly number[][], rhs: readonly number[], active: readonly number[]): number[] | null {
  const chol = cholesky(matrix, active)
  if (chol.dropped.length > 0) return null
  const m = active.length
  const y = new Array<number>(m).fill(0)
  for (let i = 0; i < m; i++) {
    let acc = rhs[active[i]]
    for (let k = 0; k < i; k++) acc -= chol.lower[i][k] * y[k]
    y[i] = acc / chol.lower[i][i]
  }
  const x = new Array<number>(rhs.length).fill(0)
  const z = new Array<number>(m).fill(0)
  for (let i = m - 1; i >= 0; i--) {
    let acc = y[i]
    for (let k = i + 1; k < m; k++) acc -= chol.lower[k][i] * z[k]
    z[i] = acc / chol.lower[i][i]
    x[active[i]] = z[i]
  }
  return x
}

interface Cholesky { kept: number[], dropped: number[], lower: number[][] }

/**
 * Cholesky of A on `active` in order, after scaling to unit diagonal; an index whose pivot
 * falls below PIVOT_REL_TOL (or whose diagonal is 0) is dropped as dependent on the earlier ones.
 * `lower` is the factor of the scaled matrix on `kept`, unscaled back.
 */
function cholesky (matrix: readonly number[][], active: readonly number[]): Cholesky {
  const kept: number[] = []
  const dropped: number[] = []
  const rows: number[][] = []
  for (const j of active) {
    const djj = matrix[j][j]
    if (!(djj > 0) || !Number.isFinite(djj)) { dropped.push(j); continue }
    const row: number[] = []
    for (let k = 0; k < kept.length; k++) {
      const i = kept[k]
      let acc = matrix[j][i] / Math.sqrt(matrix[i][i] * djj)
      for (let m = 0; m < k; m++) acc -= row[m] * rows[k][m]
      row.push(acc / rows[k][k])
    }
    let pivot = 1
    for (const v of row) pivot -= v * v
    if (!(pivot > PIVOT_REL_TOL)) { dropped.push(j); continue }
    row.push(Math.sqrt(pivot))
    rows.push(row)
    kept.push(j)
  }
  // Undo the scaling: L = D^(1/2) L_scaled.
  const lower = rows.map((row, r) => row.map((v) => v * Math.sqrt(matrix[kept[r]][kept[r]])))
  return { kept, dropped, lower }
}

/**
 * Inverse of a symmetric positive semidefinite A, restricted to the columns that are not
 * (numerically) dependent on earlier ones among `active`. Rows and columns of dropped and of
 * inactive indices are 0 (so products stay finite); mark them afterwards with markRowsNaN.
 * @returns the inverse and the dropped indices.
 */
export function invertSpd (matrix: readonly number[][], active: readonly number[]): { inverse: number[][], dropped: number[] } {
  const k = matrix.length
  const { kept, dropped } = cholesky(matrix, active)
  const inverse = zeroMatrix(k)
  for (const j of kept) {
    const unit = new Array<number>(k).fill(0)
    unit[j] = 1
    const column = solveSpd(matrix, unit, kept) as number[]
    for (const i of kept) inverse[i][j] = column[i]
  }
  return { inverse, dropped }
}

/** Sets the rows and columns of `indices` to NaN, in place (an unidentified parameter). */
export function markRowsNaN (matrix: number[][], indices: readonly number[]): void {
  for (const j of indices) {
    for (let i = 0; i < matrix.length; i++) { matrix[i][j] = NaN; matrix[j][i] = NaN }
  }
}

/** A B C for square matrices of one size. */
export function multiply3 (a: readonly number[][], b: readonly number[][], c: readonly number[][]): number[][] {
  return multiply(multiply(a, b), c)
}

function multiply (a: readonly number[][], b: readonly number[][]): number[][] {
  const k = a.length
  const out = zeroMatrix(k)
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) {
      let acc = 0
      for (let m = 0; m < k; m++) acc += a[i][m] * b[m][j]
      out[i][j] = acc
    }
  }
  return out
}
