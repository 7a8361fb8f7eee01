/** Order side as clients send it. */
export type Side = 'buy' | 'sell'

/** +1 for a buy, -1 for a sell, so formulas can multiply by it (hftbacktest's convention). */
export function sideSign (side: Side): 1 | -1 {
  return side === 'buy' ? 1 : -1
}

export const BPS_PER_UNIT = 10_000

/** A fraction (0.0012) as basis points (12). */
export function fractionToBps (fraction: number): number {
  return fraction * BPS_PER_UNIT
}

/** Basis points (12) as a fraction (0.0012). */
export function bpsToFraction (bps: number): number {
  return bps / BPS_PER_UNIT
}
