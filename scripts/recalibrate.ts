import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { isSymbol } from '../src/domain/symbol.js'
import { loadConfig } from '../src/config.js'
import { createRuntime } from '../src/runtime.js'

const USAGE = `usage: npm run recalibrate -- --symbol BTCUSDT [--symbol ETHUSDT] [--tape-minutes N] [--out records.json]

Runs the recalibration job once against Bybit v5 at BYBIT_REST_URL / BYBIT_WS_URL (same code as the
scheduled job): refresh market state, collect impact samples (TCA records from TCA_STORE_PATH when there
are RECALIBRATE_MIN_SAMPLES of them, else the trade tape: --tape-minutes N listens to the public trade
stream for N minutes first; without it the last 1000 recent trades are used), fit and gate the candidates
against the embedded models, and print one JSON document with the outcome per symbol. --out writes the
records of the models that passed the gate (an empty list for a symbol when none did). Exit code 0 when
every symbol ran (published or kept), 1 when one failed (the JSON says why), 2 on bad arguments.`

/** `npm run recalibrate`: one run of the recalibration job from the command line. */
async function main (): Promise<number> {
  const { values } = parseArgs({
    options: {
      symbol: { type: 'string', multiple: true },
      'tape-minutes': { type: 'string', default: '0' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false }
    }
  })
  const symbols = values.symbol ?? []
  const tapeMinutes = Number(values['tape-minutes'])
  if (values.help === true || symbols.length === 0 || !symbols.every(isSymbol) || !(tapeMinutes >= 0 && tapeMinutes <= 1440)) {
    process.stderr.write(`${USAGE}\n`)
    return values.help === true ? 0 : 2
  }
  // one-shot: the CLI publishes nothing to a registry (it holds no leader lock); --out writes the records for POST /v1/models/:symbol
  const config = loadConfig({ ...process.env, MARKET_DATA_SOURCE: 'bybit', SYMBOLS: symbols.join(','), REDIS_URL: undefined, REDIS_SENTINELS: undefined, REDIS_CLUSTER_NODES: undefined })
  const logger = pino({ level: config.LOG_LEVEL }, pino.destination(2))
  const runtime = createRuntime(config, logger, { schedules: false, recentTradesOnly: tapeMinutes === 0 })
  let outcomes: Array<{ symbol: string, outcome: string, published: string[], reason: string }>
  try {
    await runtime.start()
    if (tapeMinutes > 0) {
      logger.info({ tapeMinutes }, 'collecting the public trade tape')
      await new Promise((resolve) => setTimeout(resolve, tapeMinutes * 60_000))
    }
    outcomes = await (runtime.deps.job as NonNullable<typeof runtime.deps.job>).run(symbols)
  } catch (err) {
    // still one JSON document: every symbol failed, with the reason
    const reason = `unexpected: ${(err as Error).message}`
    outcomes = symbols.map((symbol) => ({ symbol, outcome: 'failed', published: [], reason }))
  }
  try {
    if (values.out !== undefined) {
      // every symbol named, with the records that passed the gate ([] when none did)
      const records = Object.fromEntries(symbols.map((s) => [s, Object.values(runtime.deps.models.modelsFor(s)).filter((m) => m.source === 'recalibrated').map((m) => m.record)]))
      writeFileSync(values.out, `${JSON.stringify(records, null, 2)}\n`)
    }
    process.stdout.write(`${JSON.stringify({ bybitRestUrl: config.BYBIT_REST_URL, outcomes }, null, 2)}\n`)
    return outcomes.some((o) => o.outcome === 'failed') ? 1 : 0
  } finally {
    await runtime.stop()
  }
}

// The Bybit client's retry waits and request timeouts are unref'd timers (a server must not be kept
// alive by them), and the CLI has no listening socket: while every request fails and waits to be
// retried nothing else holds the event loop, and Node used to exit 0 mid-run, with no output and no
// --out file (issue 14). This handle keeps the process alive until main() settles.
const keepAlive = setInterval(() => {}, 1 << 30)
main().then((code) => { process.exitCode = code }, (err: unknown) => {
  process.stderr.write(`recalibrate failed: ${(err as Error).stack ?? String(err)}\n`)
  process.exitCode = 1
}).finally(() => { clearInterval(keepAlive) })
