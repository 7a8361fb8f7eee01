/**
 * Retrain scenario: our server on live market data from the fake Bybit (test/fake-bybit, in a
 * child process at the lowest CPU priority: a real venue is remote and costs this machine
 * nothing), whose trade tape carries a synthetic square-root-law flow long enough for the
 * recalibration job to fit and gate every model (MLP included) in its worker thread. While
 * the load runs, a loop calls POST /v1/admin/recalibrate back to back, so training overlaps the
 * whole measured window. The job takes its samples from the tape until the symbol has
 * RECALIBRATE_MIN_SAMPLES executions posted to /v1/tca, then from those (`postTcaSamples`).
 */
import { execFileSync, fork } from 'node:child_process'
import { once } from 'node:events'
import { setPriority } from 'node:os'
import { createRng } from '../src/domain/learn/rng.js'
import { syntheticTape, syntheticTapeJobEnv } from '../test/support/synthetic-tape.js'
import { DEFAULT_TRAIN_REST_MS } from '../src/jobs/train-protocol.js'
import type { Activity } from './lib/compare.js'

export const RETRAIN_SYMBOL = 'BTCUSDT'
const ADMIN_KEY = 'bench-admin-key-0123456789'
/** one synthetic taker trade a minute over this many minutes: ~1,900 one-minute samples (the fake's klines span 2,012) */
const TAPE_MINUTES = 1900
/** executions posted to /v1/tca, one a minute: more samples than the tape gives, so one training lasts seconds */
const TCA_EXECUTIONS = 6000

export interface Training {
  outcome: string
  reason: string
  /** where the job's samples came from ("tape" or "tca") and how many were usable */
  samples?: { source: string, usable: number }
  /** the gate evaluated an MLP candidate: an MLP was trained in this run */
  mlpTrained: boolean
  /** wall time of the admin call, measured by the bench */
  startMs: number
  endMs: number
  /** the job's own start and end of the run (sample collection, training, gate, publish) */
  jobMs: number
}

export interface TrainingLoop extends Activity {
  trainings: Training[]
  /** share of the measured windows' time during which a recalibration was in flight */
  coverage: () => number
}

export interface Retrain {
  env: Record<string, string>
  /** waits until the server's tape has the synthetic flow */
  prepare: (serverUrl: string) => Promise<{ tapeTrades: number }>
  /** posts TCA executions (more than RECALIBRATE_MIN_SAMPLES), so the job's samples come from them from now on */
  postTcaSamples: (serverUrl: string) => Promise<number>
  /** one recalibration run, awaited */
  recalibrate: (serverUrl: string) => Promise<Training>
  /** back-to-back recalibrations during each measured window */
  loop: (serverUrl: string) => TrainingLoop
  close: () => Promise<void>
}

/**
 * Parent-order executions, one a minute up to the fake's clock: shortfall by the square-root law
 * exec / arrival - 1 = sign * 0.6 * volDaily * sqrt(Q / ADV) plus N(0, 2e-5), with their own ADV and volatility.
 */
function syntheticExecutions (nowMs: number): object[] {
  const rng = createRng(20_260_102)
  return Array.from({ length: TCA_EXECUTIONS }, (_, k) => {
    const qtyBase = Math.round(Math.exp(1 + 1.2 * rng.normal()) * 1000) / 1000 + 0.001
    const sign = rng.next() < 0.5 ? -1 : 1
    const advBase = 40_000 + 20_000 * rng.next()
    const volDaily = 0.015 + 0.02 * rng.next()
    const arrivalPriceQuote = 84_000
    const execPriceQuote = arrivalPriceQuote * (1 + sign * 0.6 * volDaily * Math.sqrt(qtyBase / advBase) + 2e-5 * rng.normal())
    return {
      symbol: RETRAIN_SYMBOL,
      side: sign > 0 ? 'buy' : 'sell',
      qtyBase,
      execPriceQuote,
      arrivalPriceQuote,
      bidQuote: arrivalPriceQuote - 3.3,
      askQuote: arrivalPriceQuote + 3.3,
      advBase,
      volDaily,
      executedAtMs: nowMs - (TCA_EXECUTIONS - k) * 60_000
    }
  })
}

async function getJson (url: string): Promise<Record<string, unknown>> {
  const res = await fetch(url)
  if (res.status !== 200) throw new Error(`GET ${url} answered ${res.status}`)
  return await res.json() as Record<string, unknown>
}

async function waitUntil (what: string, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`retrain scenario: timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

interface FakeVenue { restUrl: string, wsUrl: string, nowMs: number, push: (symbol: string, trades: object[]) => Promise<void>, close: () => Promise<void> }

async function startFakeVenue (): Promise<FakeVenue> {
  const child = fork(new URL('./fake-bybit-process.js', import.meta.url), { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  const [info] = await once(child, 'message') as [{ restUrl: string, wsUrl: string, nowMs: number }]
  // a real venue is remote and costs this machine no CPU: the fake gets only what serving leaves idle
  // (SCHED_IDLE for all its threads, as the server's training thread; nice 19 where chrt is missing)
  try {
    setPriority(child.pid ?? 0, 19)
    execFileSync('chrt', ['--idle', '--all-tasks', '--pid', '0', String(child.pid ?? 0)], { stdio: 'ignore' })
  } catch { /* no chrt, or not permitted: nice 19, or normal priority */ }
  return {
    ...info,
    push: async (symbol, trades) => {
      const answered = once(child, 'message')
      child.send({ symbol, trades })
      await answered
    },
    close: async () => {
      if (child.exitCode !== null) return
      const exited = once(child, 'exit')
      child.disconnect()
      await exited
    }
  }
}

export async function retrain (tcaStorePath: string): Promise<Retrain> {
  const fake = await startFakeVenue()
  const recalibrate = async (serverUrl: string): Promise<Training> => {
    const startMs = Date.now()
    // no body: everything is in the query string
    const res = await fetch(`${serverUrl}/v1/admin/recalibrate?symbol=${RETRAIN_SYMBOL}`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY } })
    const text = await res.text()
    const endMs = Date.now()
    if (res.status !== 200) throw new Error(`recalibrate answered ${res.status}: ${text}`)
    const [outcome] = (JSON.parse(text) as { outcomes: Array<{ outcome: string, reason: string, startedAtMs: number, finishedAtMs: number, samples?: { source: string, usable: number }, verdicts?: { mlp?: { metrics?: object } } }> }).outcomes
    const samples = outcome.samples !== undefined ? { samples: { source: outcome.samples.source, usable: outcome.samples.usable } } : {}
    const mlpTrained = outcome.verdicts?.mlp?.metrics !== undefined
    return { outcome: outcome.outcome, reason: outcome.reason, ...samples, mlpTrained, startMs, endMs, jobMs: outcome.finishedAtMs - outcome.startedAtMs }
  }
  return {
    env: {
      // the tests' job settings for the synthetic tape; nothing runs on a schedule: the bench decides
      // when market data is refreshed and models trained
      ...syntheticTapeJobEnv(fake),
      // but the production training pace: the tests' TRAIN_REST_MS 0 is what this scenario must not measure
      TRAIN_REST_MS: String(DEFAULT_TRAIN_REST_MS),
      SYMBOLS: RETRAIN_SYMBOL,
      TCA_STORE_PATH: tcaStorePath,
      ADMIN_API_KEY: ADMIN_KEY,
      ADMIN_RATE_LIMIT_MAX: '1000000'
    },
    prepare: async (serverUrl) => {
      const status = async (): Promise<{ trades: number, heard: boolean, refreshed: boolean }> => {
        const live = (await getJson(`${serverUrl}/v1/models`)).marketData as { market?: Record<string, { lastSuccessMs?: number }>, tape?: { lastMessageMs?: number, tradesBySymbol?: Record<string, number> } }
        return { trades: live.tape?.tradesBySymbol?.[RETRAIN_SYMBOL] ?? 0, heard: live.tape?.lastMessageMs !== undefined, refreshed: live.market?.[RETRAIN_SYMBOL]?.lastSuccessMs !== undefined }
      }
      // the first message the tape hears is the fake's subscribe acknowledgement: from then on pushes reach it
      let before = 0
      await waitUntil('the trade tape to subscribe', 20_000, async () => {
        const now = await status()
        before = now.trades
        return now.heard
      })
      const tape = syntheticTape(fake.nowMs, TAPE_MINUTES, 20_260_101)
      await fake.push(RETRAIN_SYMBOL, tape)
      let tapeTrades = 0
      await waitUntil('the pushed trades and the market state', 20_000, async () => {
        const now = await status()
        tapeTrades = now.trades
        return now.trades >= before + tape.length && now.refreshed
      })
      return { tapeTrades }
    },
    postTcaSamples: async (serverUrl) => {
      const trades = syntheticExecutions(fake.nowMs)
      const res = await fetch(`${serverUrl}/v1/tca`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ trades }) })
      if (res.status !== 200) throw new Error(`POST /v1/tca answered ${res.status}: ${await res.text()}`)
      return trades.length
    },
    recalibrate,
    loop: (serverUrl) => {
      const trainings: Training[] = []
      const windows: Array<{ startMs: number, endMs: number }> = []
      let running = false
      let done: Promise<void> = Promise.resolve()
      return {
        trainings,
        start: () => {
          running = true
          windows.push({ startMs: Date.now(), endMs: Number.NaN })
          done = (async () => {
            // eslint-disable-next-line no-unmodified-loop-condition -- the flag is cleared by another async task
            while (running) trainings.push(await recalibrate(serverUrl))
          })()
        },
        stop: async () => {
          running = false
          windows[windows.length - 1].endMs = Date.now()
          await done
        },
        coverage: () => {
          let covered = 0
          let total = 0
          for (const w of windows) {
            total += w.endMs - w.startMs
            for (const t of trainings) covered += Math.max(0, Math.min(w.endMs, t.endMs) - Math.max(w.startMs, t.startMs))
          }
          return covered / total
        }
      }
    },
    close: async () => await fake.close()
  }
}
