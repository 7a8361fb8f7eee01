/**
 * `npm run eval` (node dist/scripts/eval.js): the recalibration job's calibration and gate code
 * (src/domain/validation) on the recorded real data under $PRETRADE_DATA_DIR or ../shared/data:
 * Binance USD-M alt klines with taker-buy volume, the Binance trade tape, and the Bybit inverse
 * klines (market state only). Prints Markdown tables; `npm run eval -- --json` prints the same
 * figures as one JSON document and nothing else on stdout. Progress goes to stderr. Reads files
 * only: no network (BYBIT_REST_URL is not used here).
 */
import { resolveDataDir, dataDirExists, DATA_DIR_ENV } from './lib/data-dir.js'
import { runEval } from './lib/eval-run.js'
import { formatReport } from './lib/eval-report.js'

async function main (): Promise<void> {
  const json = process.argv.slice(2).includes('--json')
  const dataDir = resolveDataDir()
  if (!dataDirExists(dataDir)) {
    throw new Error(`eval: no recorded data at ${dataDir} (set ${DATA_DIR_ENV} or run from the repo root next to ../shared/data)`)
  }
  const startedMs = Date.now()
  const report = await runEval(dataDir, { log: (line) => process.stderr.write(`eval: ${line}\n`) })
  process.stdout.write(json ? JSON.stringify(report, null, 2) + '\n' : formatReport(report))
  process.stderr.write(`eval: done in ${((Date.now() - startedMs) / 1000).toFixed(1)} s\n`)
}

main().catch((err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
