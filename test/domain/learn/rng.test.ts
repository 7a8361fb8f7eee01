import t from 'tap'
import { createRng, shuffleInPlace } from '../../../src/domain/learn/rng.js'

const DRAWS = 100_000

t.test('the same seed gives the same sequence; different seeds differ', async (t) => {
  const a = createRng(42)
  const b = createRng(42)
  const c = createRng(43)
  const highBits = createRng(42 + 2 ** 32) // the high 32 bits of the seed must matter too
  const seqA = Array.from({ length: 1000 }, () => a.next())
  t.same(Array.from({ length: 1000 }, () => b.next()), seqA, 'bit-identical for seed 42')
  t.not(c.next(), seqA[0], 'seed 43 starts differently')
  t.not(highBits.next(), seqA[0], 'seed 42 + 2^32 starts differently')
  const n1 = createRng(7)
  const n2 = createRng(7)
  t.same(Array.from({ length: 101 }, () => n1.normal()), Array.from({ length: 101 }, () => n2.normal()), 'normal() is deterministic too (odd count crosses a Box-Muller pair)')
})

t.test('createRng rejects seeds that are not safe integers', async (t) => {
  t.throws(() => createRng(1.5), RangeError)
  t.throws(() => createRng(Number.NaN), RangeError)
  t.throws(() => createRng(2 ** 60), RangeError)
})

t.test('next() is uniform on [0, 1): range, moments and a chi-square bin test', async (t) => {
  const rng = createRng(20240601)
  const bins = new Array<number>(10).fill(0)
  let sum = 0
  let sumSq = 0
  let min = 1
  let max = 0
  for (let i = 0; i < DRAWS; i++) {
    const u = rng.next()
    sum += u
    sumSq += u * u
    min = Math.min(min, u)
    max = Math.max(max, u)
    bins[Math.floor(u * 10)]++
  }
  t.ok(min >= 0 && max < 1, `all draws in [0, 1) (min ${min}, max ${max})`)
  const mean = sum / DRAWS
  const variance = sumSq / DRAWS - mean * mean
  // Uniform(0,1): mean 1/2 with sd sqrt(1/12/N) = 0.00091; tolerance 5 sd = 0.0046.
  t.ok(Math.abs(mean - 0.5) < 0.0046, `mean ${mean} within 0.0046 of 1/2`)
  // variance 1/12; sd of the sample variance ~ sqrt(1/180/N) = 0.00024; tolerance 5 sd = 0.0012.
  t.ok(Math.abs(variance - 1 / 12) < 0.0012, `variance ${variance} within 0.0012 of 1/12`)
  const expected = DRAWS / 10
  const chiSquare = bins.reduce((acc, count) => acc + (count - expected) ** 2 / expected, 0)
  // chi-square with 9 degrees of freedom: 99.9% quantile 27.88.
  t.ok(chiSquare < 27.88, `chi-square ${chiSquare.toFixed(2)} < 27.88 (9 df, p = 0.001)`)
})

t.test('normal() has standard-normal moments', async (t) => {
  const rng = createRng(99)
  let m1 = 0
  let m2 = 0
  let m3 = 0
  let m4 = 0
  for (let i = 0; i < DRAWS; i++) {
    const z = rng.normal()
    m1 += z
    m2 += z * z
    m3 += z * z * z
    m4 += z * z * z * z
  }
  m1 /= DRAWS
  m2 /= DRAWS
  m3 /= DRAWS
  m4 /= DRAWS
  // Sampling sds for N = 1e5: mean 1/sqrt(N) = 0.0032, E[z^2] sqrt(2/N) = 0.0045,
  // E[z^3] sqrt(15/N) = 0.012, E[z^4] sqrt(96/N) = 0.031. Tolerances are 5 sd.
  t.ok(Math.abs(m1) < 0.016, `mean ${m1} within 0.016 of 0`)
  t.ok(Math.abs(m2 - 1) < 0.023, `E[z^2] ${m2} within 0.023 of 1`)
  t.ok(Math.abs(m3) < 0.062, `E[z^3] ${m3} within 0.062 of 0`)
  t.ok(Math.abs(m4 - 3) < 0.155, `E[z^4] ${m4} within 0.155 of 3`)
})

t.test('shuffleInPlace gives a permutation, deterministically, with all orders equally likely', async (t) => {
  const items = Array.from({ length: 50 }, (_, i) => i)
  const shuffled = shuffleInPlace([...items], createRng(5))
  t.same([...shuffled].sort((x, y) => x - y), items, 'same multiset')
  t.not(shuffled.join(','), items.join(','), 'order changed')
  t.same(shuffleInPlace([...items], createRng(5)), shuffled, 'same seed, same permutation')
  const typed = shuffleInPlace(Int32Array.from(items), createRng(5))
  t.same(Array.from(typed), shuffled, 'typed arrays shuffle identically')

  const rng = createRng(11)
  const counts = new Map<string, number>()
  const trials = 60_000
  for (let i = 0; i < trials; i++) {
    const key = shuffleInPlace(['a', 'b', 'c'], rng).join('')
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  t.equal(counts.size, 6, 'all 3! orders occur')
  // Each order has probability 1/6: count sd sqrt(N p (1-p)) = 91; tolerance 5 sd = 456.
  for (const [key, count] of counts) t.ok(Math.abs(count - trials / 6) < 456, `${key}: ${count} within 456 of ${trials / 6}`)
})
