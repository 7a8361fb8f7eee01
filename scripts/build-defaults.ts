/**
 * Recomputes the embedded offline defaults from the recorded data:
 *   embedded/market-state.json  fees and per-symbol market state, each number with its origin
 *   embedded/models.json        square-root law parameters, linear and MLP impact predictors, execution model (istar)
 * Run from the repo root: `npm run defaults` (node dist/scripts/build-defaults.js). Data is read
 * from $PRETRADE_DATA_DIR or ../shared/data and never copied into the repo. Output is
 * deterministic: the same data gives byte-identical files (no run timestamps).
 */
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { resolveDataDir, dataDirExists, DATA_DIR_ENV } from './lib/data-dir.js'
import { computeMarketState } from './lib/market-state.js'
import { computeModels, describeSpan } from './lib/models-file.js'
import { formatNumber as fmt } from './lib/stats.js'

export const EMBEDDED_DIR = 'embedded'

/** Stable JSON text: two-space indent, trailing newline. */
export function toJsonText (value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n'
}

async function main (): Promise<void> {
  const dataDir = resolveDataDir()
  if (!dataDirExists(dataDir)) {
    throw new Error(`build-defaults: no recorded data at ${dataDir} (set ${DATA_DIR_ENV} or run from the repo root next to ../shared/data)`)
  }
  const outDir = path.resolve(process.cwd(), EMBEDDED_DIR)
  await mkdir(outDir, { recursive: true })

  const marketState = await computeMarketState(dataDir)
  await writeFile(path.join(outDir, 'market-state.json'), toJsonText(marketState))
  for (const [symbol, s] of Object.entries(marketState.symbols)) {
    console.log(`${symbol}: price ${fmt(s.priceQuote.value, 6)}, volDaily ${fmt(s.volDaily.value)}, advBase ${fmt(s.advBase.value)}, spreadBps ${fmt(s.spreadBps.value)}`)
  }

  const { file: models, evaluations, istar } = await computeModels(dataDir)
  await writeFile(path.join(outDir, 'models.json'), toJsonText(models))
  for (const e of evaluations) {
    console.log(`k=${e.windowMinutes} min: train ${e.train.length}, test ${e.test.length}; out-of-sample R^2 logLinear ${fmt(e.logLinear.outOfSampleR2, 3)}, delta=0.5 refit ${fmt(e.refitSqrt.outOfSampleR2, 3)}, linear ${fmt(e.linear.outOfSampleR2, 3)}, mlp ${fmt(e.mlp.outOfSampleR2, 3)}, zero ${fmt(e.zero.outOfSampleR2, 3)}`)
  }
  const d = models.dataset
  console.log(`chosen k=${d.windowMinutes} min; train ${describeSpan(d.trainFromMs, d.trainToMs)}, test ${describeSpan(d.testFromMs, d.testToMs)}`)
  console.log(`sqrt (${String(models.sqrt.calibration.metrics.selected)}): eta ${fmt(models.sqrt.impactCoef.value)}, delta ${fmt(models.sqrt.impactExponent.value)}, smearing ${fmt(models.sqrt.smearingFactor.value)}`)
  const ip = models.istar.params
  console.log(`istar (${istar.winner}; pooled out-of-sample R^2 I-Star ${fmt(istar.pooledOutOfSampleR2.istar, 3)}, square-root law ${fmt(istar.pooledOutOfSampleR2.sqrt, 3)}): a1 ${fmt(ip.a1.value)}, a2 ${fmt(ip.a2.value)}, a4 ${fmt(ip.a4.value)}, b1 ${fmt(ip.b1.value)}`)
  console.log(`wrote ${EMBEDDED_DIR}/market-state.json and ${EMBEDDED_DIR}/models.json`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
