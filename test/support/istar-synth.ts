import { windowImpact, type TimedIStarWindow } from '../../src/domain/impact/calibrate-istar.js'
import type { IStarParams } from '../../src/domain/impact/istar.js'
import { createRng } from '../../src/domain/learn/rng.js'

export const SYNTH_LENGTHS_MINUTES = [1, 5, 15, 60, 240]
export const SYNTH_T0_MS = Date.UTC(2026, 0, 1)
const DAY_MS = 86_400_000

export interface SynthIStarOptions { seed: number, params: IStarParams, days: number, perDay: number, noiseScale: number }

/**
 * Seeded synthetic I-Star windows with start times (the generator of
 * test/domain/impact/calibrate-istar.test.ts, spread over UTC days from 2026-01-01): per day and
 * per length L, `perDay` windows evenly spaced in the day, POV log-uniform in [0.01, 0.6], |Q|/ADV =
 * POV * L/1440 * exp(z), sigma uniform in [2 %, 5 %] per day, and
 * signedReturn = MI(params) + noiseScale * sigma * sqrt(L/1440) * z'.
 */
export function synthTimedWindows ({ seed, params, days, perDay, noiseScale }: SynthIStarOptions): TimedIStarWindow[] {
  const rng = createRng(seed)
  const windows: TimedIStarWindow[] = []
  for (let d = 0; d < days; d++) {
    const volDaily = 0.02 + 0.03 * rng.next()
    const dayMs = SYNTH_T0_MS + d * DAY_MS
    const dayKey = new Date(dayMs).toISOString().slice(0, 10)
    for (const lengthMinutes of SYNTH_LENGTHS_MINUTES) {
      for (let k = 0; k < perDay; k++) {
        const startMs = dayMs + Math.floor(k * (1440 - lengthMinutes) / perDay) * 60_000
        const pov = Math.exp(Math.log(0.01) + rng.next() * Math.log(60))
        const sizeFractionOfAdv = pov * (lengthMinutes / 1440) * Math.exp(rng.normal())
        const window = { dayKey, startMs, lengthMinutes, sizeFractionOfAdv, pov, volDaily, signedReturn: 0 }
        window.signedReturn = windowImpact(params, window) + noiseScale * volDaily * Math.sqrt(lengthMinutes / 1440) * rng.normal()
        windows.push(window)
      }
    }
  }
  return windows
}
