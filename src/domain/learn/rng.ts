/**
 * Seeded pseudo-random numbers for the learners (weight init, shuffling, splits), so a
 * training run is a pure function of its inputs and seed.
 *
 * Generator: sfc32 (Chris Doty-Humphrey's "Small Fast Counting" generator from PractRand,
 * 128-bit state, passes PractRand and BigCrush; https://pracrand.sourceforge.net/), its four
 * state words derived from the seed with splitmix32 and mixed by 12 discarded outputs.
 * Not cryptographic.
 */

/** A seeded source of uniform and standard-normal draws. */
export interface Rng {
  /** Uniform draw in [0, 1), resolution 2^-32. */
  next: () => number
  /** Standard normal draw (mean 0, variance 1) by the Box-Muller transform. */
  normal: () => number
}

const TWO_POW_32 = 4294967296

/** splitmix32 step: a well-mixed 32-bit word from a 32-bit counter (used only for seeding). */
function splitmix32 (state: number): number {
  let z = (state + 0x9e3779b9) | 0
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b)
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35)
  return (z ^ (z >>> 16)) >>> 0
}

/**
 * Creates a seeded generator (sfc32). The same seed always gives the same sequence.
 * Seeds are integers in the safe range; the low and high 32 bits both feed the state.
 * Box-Muller draws come in pairs: `normal()` caches the second of each pair.
 * @param seed integer, |seed| <= Number.MAX_SAFE_INTEGER
 * @throws RangeError if `seed` is not a safe integer (a programmer error).
 * @example createRng(42).next() // same number on every run
 */
export function createRng (seed: number): Rng {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`createRng: seed must be a safe integer (got ${seed})`)
  const low = seed >>> 0
  const high = Math.floor(seed / TWO_POW_32) >>> 0
  let a = splitmix32(low)
  let b = splitmix32(a ^ high)
  let c = splitmix32(b + 0x6a09e667)
  let d = splitmix32(c ^ 0xbb67ae85)

  function nextUint32 (): number {
    const t = (((a + b) | 0) + d) | 0
    d = (d + 1) | 0
    a = b ^ (b >>> 9)
    b = (c + (c << 3)) | 0
    c = (c << 21) | (c >>> 11)
    c = (c + t) | 0
    return t >>> 0
  }
  for (let i = 0; i < 12; i++) nextUint32()

  let spareNormal = 0
  let hasSpare = false

  const next = (): number => nextUint32() / TWO_POW_32
  const normal = (): number => {
    if (hasSpare) {
      hasSpare = false
      return spareNormal
    }
    // 1 - u lies in (0, 1], so the logarithm is finite.
    const radius = Math.sqrt(-2 * Math.log(1 - next()))
    const angle = 2 * Math.PI * next()
    spareNormal = radius * Math.sin(angle)
    hasSpare = true
    return radius * Math.cos(angle)
  }
  return { next, normal }
}

/** Anything indexable and writable: plain arrays and typed arrays. */
export interface MutableArrayLike<T> {
  length: number
  [index: number]: T
}

/**
 * Fisher-Yates shuffle of `array` in place (every permutation equally likely), O(n).
 * @returns the same array, for chaining.
 */
export function shuffleInPlace<A extends MutableArrayLike<unknown>> (array: A, rng: Rng): A {
  for (let i = array.length - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1))
    const tmp = array[i]
    array[i] = array[j]
    array[j] = tmp
  }
  return array
}
