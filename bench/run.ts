/**
 * `npm run bench`: micro-benchmarks of the domain functions, then autocannon against the real
 * server process (`node dist/src/server.js`) and, in the same run, against a bare Fastify
 * baseline (bench/baseline-server.ts); hot swap and retraining against idle. Prints one table to
 * stdout (progress goes to stderr) and writes the figures to bench/results/latest.json.
 * Exits 0 whether or not targets are met; 1 when a section could not run (the others still do).
 * Flags: see bench/README.md.
 */
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runMicro, type MicroResult } from './micro.js'
import { ESTIMATE_SQRT, SCENARIOS, type Scenario } from './scenarios.js'
import { compare, type Contender, type Measured } from './lib/compare.js'
import type { LoadOptions } from './lib/load.js'
import { postJson, startService, type Service } from './lib/processes.js'
import { startCommand } from '../test/support/start-command.js'
import { formatMicro, formatRows, makeRow, type Criterion, type Row } from './lib/report.js'
import { hotSwap, SWAP_EVERY_MS } from './hot-swap.js'
import { retrain, type Retrain } from './retrain.js'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
// ours exactly as `npm start` runs it; the baseline with the same node flags
const START = startCommand(ROOT)
const SERVER = [...START.nodeFlags, join(ROOT, START.script)]
const BASELINE = [...START.nodeFlags, join(ROOT, 'dist/bench/baseline-server.js')]
const MODELS_PATH = join(ROOT, 'embedded/models.json')
const SECTIONS = ['micro', 'http', 'swap', 'retrain'] as const
type Section = typeof SECTIONS[number]

interface Flags {
  durationSec: number
  /** unmeasured load on the same scenario right before a server's first measured run in a comparison */
  warmupSec: number
  connections: number
  reps: number
  quick: boolean
  only: Set<Section>
  out: string
  redisUrl: string
}

const USAGE = `usage: npm run bench -- [--quick] [--duration s] [--warmup s] [--connections n] [--reps n]
  [--only ${SECTIONS.join(',')}] [--out file.json] [--redis redis://127.0.0.1:6379]`

function parseFlags (argv: string[]): Flags {
  const quick = argv.includes('--quick')
  const flags: Flags = {
    durationSec: quick ? 2 : 4,
    warmupSec: quick ? 1 : 8,
    connections: 10,
    reps: quick ? 1 : 5,
    quick,
    only: new Set(SECTIONS),
    out: quick ? join(tmpdir(), 'pretrade-bench-quick.json') : join(ROOT, 'bench/results/latest.json'),
    redisUrl: 'redis://127.0.0.1:6379'
  }
  const number = (name: string, text: string | undefined, min: number): number => {
    const value = Number(text)
    if (!(value >= min) || !Number.isFinite(value)) throw new Error(`${name} must be a number >= ${min} (got ${String(text)})\n${USAGE}`)
    return value
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    const value = (): string | undefined => argv[++i]
    if (arg === '--quick') continue
    else if (arg === '--duration') flags.durationSec = number(arg, value(), 1)
    else if (arg === '--warmup') flags.warmupSec = number(arg, value(), 0)
    else if (arg === '--connections') flags.connections = Math.round(number(arg, value(), 1))
    else if (arg === '--reps') flags.reps = Math.round(number(arg, value(), 1))
    else if (arg === '--out') flags.out = value() ?? ''
    else if (arg === '--redis') flags.redisUrl = value() ?? ''
    else if (arg === '--only') {
      const names = (value() ?? '').split(',')
      const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n))
      if (unknown.length > 0) throw new Error(`--only: unknown section ${unknown.join(', ')}\n${USAGE}`)
      flags.only = new Set(names as Section[])
    } else throw new Error(`unknown flag ${arg}\n${USAGE}`)
  }
  return flags
}

const progress = (line: string): void => { process.stderr.write(`${line}\n`) }

/** Targets of the issue, on ratios measured in the same run. */
const TARGETS = {
  single: { text: 'thr >= 0.85, p99 <= 1.25x', met: (r) => r.throughput >= 0.85 && r.p99 <= 1.25 },
  batch: { text: 'orders/s >= 0.7', met: (r) => r.throughput >= 0.7 },
  logging: { text: 'info costs < 15% thr', met: (r) => r.throughput > 0.85 },
  idleP99: { text: 'p99 <= 1.2x idle', met: (r) => r.p99 <= 1.2 }
} satisfies Record<string, Criterion>

/** Scenarios measured `reps` times because a target rests on them; the others once. */
const TARGETED = new Set(['estimate sqrt', 'batch 100', 'batch 1000'])

interface Context {
  flags: Flags
  load: LoadOptions
  work: string
  services: Service[]
  cleanups: Array<() => Promise<unknown>>
}

async function start (ctx: Context, name: string, args: readonly string[], env: Record<string, string>, readyPath = '/ready'): Promise<Service> {
  progress(`starting ${name}`)
  const service = await startService(name, args, env, ctx.work, readyPath, ROOT)
  ctx.services.push(service)
  return service
}

async function stopAll (ctx: Context): Promise<void> {
  await Promise.all(ctx.services.splice(0).map(async (s) => await s.stop()))
}

/** Our response per scenario: the baseline answers with a constant JSON of its size, the second baseline with the object itself. */
async function ourResponses (url: string, scenarios: readonly Scenario[]): Promise<Map<Scenario, string>> {
  const texts = new Map<Scenario, string>()
  for (const s of scenarios) {
    const res = await postJson(url + s.path, s.body)
    if (res.status !== 200) throw new Error(`${s.name}: our server answered ${res.status}: ${res.text.slice(0, 300)}`)
    texts.set(s, res.text)
  }
  return texts
}

/** The label of the second reference: bare Fastify serializing our recorded response through our response schema. */
const SERIALIZING = 'baseline + our JSON'

/** `n` identical server processes, `name-1` to `name-n`; `env` is given each one's index. */
async function startMany (ctx: Context, name: string, args: readonly string[], n: number, env: (i: number) => Record<string, string>): Promise<Service[]> {
  const services: Service[] = []
  for (let i = 1; i <= n; i++) services.push(await start(ctx, `${name}-${i}`, args, env(i)))
  return services
}

async function httpSection (ctx: Context): Promise<{ rows: Row[], bytes: Record<string, number> }> {
  // one process per repetition on every side (see Contender): a target's ratio is a median over as many pairs of processes
  const n = ctx.flags.reps
  const ourEnv = (level: string) => (i: number) => ({ LOG_LEVEL: level, TCA_STORE_PATH: join(ctx.work, `tca-${level}-${i}.jsonl`) })
  const info = await startMany(ctx, 'ours-info', SERVER, n, ourEnv('info'))
  const silent = await startMany(ctx, 'ours-silent', SERVER, n, ourEnv('silent'))
  const texts = await ourResponses(info[0].url, SCENARIOS)
  const sizes = new Map([...texts].map(([s, text]) => [s, Buffer.byteLength(text)]))
  const replySizes: Record<string, Record<string, number>> = {}
  const replyBodies: Record<string, Record<string, unknown>> = {}
  for (const [s, text] of texts) {
    (replySizes[s.path] ??= {})[s.key] = sizes.get(s) as number;
    (replyBodies[s.path] ??= {})[s.key] = JSON.parse(text)
  }
  const bodiesFile = join(ctx.work, 'reply-bodies.json')
  writeFileSync(bodiesFile, JSON.stringify(replyBodies))
  const baseline = await startMany(ctx, 'baseline', BASELINE, n, () => ({ LOG_LEVEL: 'info', BENCH_REPLY_SIZES: JSON.stringify(replySizes) }))
  const serializing = await startMany(ctx, 'baseline-serializing', BASELINE, n, () => ({ LOG_LEVEL: 'info', BENCH_REPLY_BODIES: bodiesFile }))
  for (const [s, bytes] of sizes) {
    for (const ref of [...baseline, ...serializing]) {
      const res = await postJson(ref.url + s.path, s.body)
      if (res.status !== 200 || Buffer.byteLength(res.text) !== bytes) throw new Error(`${s.name}: ${ref.name} answered ${res.status} with ${Buffer.byteLength(res.text)} bytes, expected 200 with ${bytes}`)
    }
  }

  // each ratio from its own back-to-back pairs (ours, then the reference, then the other way round):
  // with more than two contenders in one rotation, a pair sat up to three runs apart and the machine's
  // drift between them went into the ratio
  const urls = (services: Service[]): string[] => services.map((x) => x.url)
  const rows: Row[] = []
  for (const s of SCENARIOS) {
    const unit = s.unit === 'orders' ? 'orders/s' : 'req/s'
    const reps = TARGETED.has(s.name) ? ctx.flags.reps : 1
    const ours = { label: 'ours', urls: urls(info) }
    const pair = async (reference: Contender): Promise<Measured[]> => await compare(s, [ours, reference], reps, ctx.load, progress)
    const [vsBase, base] = await pair({ label: 'baseline', urls: urls(baseline) })
    // the constant body is shown for information (JSON number formatting is the floor there); our
    // code is held to bare Fastify serializing our own recorded response through our schema
    rows.push(makeRow(s.name, 'baseline', unit, vsBase, base, { note: `${sizes.get(s)} B response` }))
    const [vsSame, same] = await pair({ label: SERIALIZING, urls: urls(serializing) })
    rows.push(makeRow(s.name, SERIALIZING, unit, vsSame, same, { criterion: s === ESTIMATE_SQRT ? TARGETS.single : s.unit === 'orders' ? TARGETS.batch : undefined }))
    if (s === ESTIMATE_SQRT) {
      const [vsQuiet, quiet] = await pair({ label: 'ours LOG_LEVEL=silent', urls: urls(silent) })
      rows.push(makeRow(`${s.name}, LOG_LEVEL=info`, 'LOG_LEVEL=silent', unit, vsQuiet, quiet, { criterion: TARGETS.logging }))
    }
  }
  await stopAll(ctx)
  return { rows, bytes: Object.fromEntries([...sizes].map(([s, b]) => [s.name, b])) }
}

async function swapSection (ctx: Context): Promise<{ rows: Row[], details: object }> {
  const swap = await hotSwap(ctx.flags.redisUrl, MODELS_PATH)
  ctx.cleanups.push(swap.close)
  const server = await start(ctx, 'ours-redis', SERVER, { LOG_LEVEL: 'info', TCA_STORE_PATH: join(ctx.work, 'tca-swap.jsonl'), ...swap.env })
  const before = await swap.servedVersion(server.url)
  const [swapping, idle] = await compare(ESTIMATE_SQRT, [{ label: 'hot swap', urls: [server.url], activity: swap.publisher }, { label: 'idle', urls: [server.url] }], ctx.flags.reps, ctx.load, progress)
  const published = swap.publisher.published()
  const last = published.at(-1)
  let after = await swap.servedVersion(server.url)
  for (let i = 0; i < 50 && after !== last; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100))
    after = await swap.servedVersion(server.url)
  }
  await stopAll(ctx)
  const { keysDeleted } = await swap.close()
  const swapped = last !== undefined && after === last && after !== before
  const details = { swaps: published.length, everyMs: SWAP_EVERY_MS, servedBefore: before, servedAfter: after, lastPublished: last, swapped, redisKeysDeleted: keysDeleted }
  const row = makeRow(`estimate sqrt, hot swap every ${SWAP_EVERY_MS / 1000} s`, 'idle', 'req/s', swapping, idle, {
    criterion: TARGETS.idleP99,
    note: `${published.length} swaps, served ${before} -> ${after}`,
    ...(swapped ? {} : { problem: `no swap observed: served ${after}, last published ${String(last)}` })
  })
  return { rows: [row], details }
}

/** Back-to-back recalibrations against idle on one server; the row and what the trainings did. */
async function retrainRow (ctx: Context, rt: Retrain, url: string, scenario: string): Promise<{ row: Row, details: object }> {
  const first = await rt.recalibrate(url)
  progress(`  ${scenario}: first recalibration ${first.outcome} in ${first.jobMs} ms on ${first.samples?.usable ?? 0} ${first.samples?.source ?? ''} samples (${first.reason})`)
  const loop = rt.loop(url)
  const [training, idle] = await compare(ESTIMATE_SQRT, [{ label: 'retraining', urls: [url], activity: loop }, { label: 'idle', urls: [url] }], ctx.flags.reps, ctx.load, progress)
  const durations = loop.trainings.map((t) => t.jobMs).sort((a, b) => a - b)
  const outcomes: Record<string, number> = {}
  for (const t of loop.trainings) outcomes[t.outcome] = (outcomes[t.outcome] ?? 0) + 1
  const coverage = loop.coverage()
  const all = [first, ...loop.trainings]
  const failed = all.find((t) => t.outcome === 'failed')
  const problem = failed !== undefined
    ? `a recalibration failed: ${failed.reason}`
    : all.some((t) => !t.mlpTrained) ? 'a recalibration trained no MLP' : coverage < 0.9 ? `training covered only ${(coverage * 100).toFixed(0)}% of the measured time` : undefined
  const row = makeRow(scenario, 'idle', 'req/s', training, idle, {
    criterion: TARGETS.idleP99,
    note: `${loop.trainings.length} recalibrations (each training an MLP) of ${durations[0]}-${durations.at(-1)} ms (median ${durations[durations.length >> 1]}) on ${first.samples?.usable ?? 0} ${first.samples?.source ?? ''} samples, in flight ${(coverage * 100).toFixed(0)}% of the measured time`,
    ...(problem !== undefined ? { problem } : {})
  })
  return { row, details: { first, recalibrations: loop.trainings.length, outcomes, jobMs: { min: durations[0], median: durations[durations.length >> 1], max: durations.at(-1) }, windowCoverage: coverage, each: loop.trainings } }
}

async function retrainSection (ctx: Context): Promise<{ rows: Row[], details: object }> {
  const rt = await retrain(join(ctx.work, 'tca-retrain.jsonl'))
  ctx.cleanups.push(rt.close)
  const server = await start(ctx, 'ours-bybit', SERVER, { LOG_LEVEL: 'info', ...rt.env })
  const { tapeTrades } = await rt.prepare(server.url)
  const tape = await retrainRow(ctx, rt, server.url, 'estimate sqrt, retraining on the tape')
  const tcaExecutions = await rt.postTcaSamples(server.url)
  const tca = await retrainRow(ctx, rt, server.url, 'estimate sqrt, retraining on TCA records')
  await stopAll(ctx)
  return { rows: [tape.row, tca.row], details: { tapeTrades, tcaExecutions, tape: tape.details, tca: tca.details } }
}

function machine (): object {
  const list = cpus()
  return { cpus: list.length, cpuModel: list[0]?.model, totalMemGiB: Math.round(totalmem() / 2 ** 30 * 10) / 10, os: `${process.platform} ${release()}`, node: process.version, loadAverageAtStart: loadavg() }
}

async function main (): Promise<void> {
  const flags = parseFlags(process.argv.slice(2))
  const startedMs = Date.now()
  const ctx: Context = {
    flags,
    load: { connections: flags.connections, durationSec: flags.durationSec, warmupSec: flags.warmupSec },
    work: mkdtempSync(join(tmpdir(), 'pretrade-bench-')),
    services: [],
    cleanups: []
  }
  const cleanUp = async (): Promise<void> => {
    await stopAll(ctx)
    for (const cleanup of ctx.cleanups.splice(0)) await cleanup().catch((err: unknown) => progress(`cleanup: ${(err as Error).message}`))
  }
  const onSignal = (): void => { void cleanUp().finally(() => process.exit(130)) }
  process.once('SIGINT', onSignal)
  process.once('SIGTERM', onSignal)
  const settings = { ...ctx.load, pipelining: 1, reps: flags.reps, repsOfUntargetedScenarios: 1, quick: flags.quick, sections: [...flags.only] }
  progress(`pretrade bench: ${JSON.stringify(settings)}`)

  let micro: { results: MicroResult[], sink: number } | undefined
  const rows: Row[] = []
  const extra: Record<string, object> = {}
  const sectionErrors: Record<string, string> = {}
  // a section that cannot run (Redis down, a server that does not start) is reported; the others still run
  const section = async (name: Section, run: () => Promise<void>): Promise<void> => {
    if (!flags.only.has(name)) return
    try {
      await run()
    } catch (err) {
      sectionErrors[name] = (err as Error).message
      progress(`section ${name} failed: ${(err as Error).stack ?? String(err)}`)
    } finally {
      await cleanUp()
    }
  }
  await section('micro', async () => {
    progress('micro-benchmarks')
    micro = runMicro({ reps: flags.quick ? 5 : 11, repMs: flags.quick ? 20 : 60, modelsPath: MODELS_PATH })
  })
  await section('http', async () => {
    const http = await httpSection(ctx)
    rows.push(...http.rows)
    extra.responseBytes = http.bytes
  })
  await section('swap', async () => {
    const swap = await swapSection(ctx)
    rows.push(...swap.rows)
    extra.hotSwap = swap.details
  })
  await section('retrain', async () => {
    const rt = await retrainSection(ctx)
    rows.push(...rt.rows)
    extra.retrain = rt.details
  })
  const failedSections = Object.keys(sectionErrors)
  if (failedSections.length === 0) rmSync(ctx.work, { recursive: true, force: true })
  else progress(`server logs kept in ${ctx.work}`)

  const runtimeSec = Math.round((Date.now() - startedMs) / 1000)
  // micro rows with a target count as targets too (named by their function)
  const microTargets = (micro?.results ?? []).filter((m) => m.pass !== undefined)
  const targets = [...rows.filter((r) => r.target !== undefined), ...microTargets]
  const failing = [...rows.filter((r) => !r.pass).map((r) => `${r.scenario} vs ${r.against}`), ...microTargets.filter((m) => m.pass !== true).map((m) => m.name)]
  const out: string[] = []
  if (micro !== undefined) out.push('Micro-benchmarks (median ns per call; ratio = library / baseline: an inline loop computing the same numbers, or the reference named in a row with a target)', formatMicro(micro.results), `(sink ${micro.sink.toPrecision(6)})`, '')
  if (rows.length > 0) {
    out.push(`HTTP (${flags.connections} connections, pipelining 1, ${flags.warmupSec} s warm-up + ${flags.durationSec} s measured, ${flags.reps} alternating runs for targets; ratios = ours / ref, the median over runs of the ratio within a run)`, formatRows(rows), '')
    for (const r of rows) if (r.note !== undefined) out.push(`  ${r.scenario} vs ${r.against}: ${r.note}`)
  }
  for (const [name, message] of Object.entries(sectionErrors)) out.push(`Section ${name} could not run: ${message}`)
  out.push('', `Summary: ${targets.filter((r) => r.pass).length}/${targets.length} targets PASS; ${failing.length === 0 ? 'no failing row' : `FAIL: ${failing.join('; ')}`}${failedSections.length > 0 ? `; sections that could not run: ${failedSections.join(', ')}` : ''}; ${runtimeSec} s`)
  process.stdout.write(out.join('\n') + '\n')

  const json = {
    generatedBy: 'npm run bench',
    date: new Date(startedMs).toISOString(),
    runtimeSec,
    machine: machine(),
    settings,
    summary: { targets: targets.length, passed: targets.filter((r) => r.pass).length, failed: failing, sectionErrors },
    micro: micro?.results ?? [],
    http: rows,
    ...extra
  }
  mkdirSync(dirname(flags.out), { recursive: true })
  writeFileSync(flags.out, JSON.stringify(json, null, 2) + '\n')
  progress(`results written to ${flags.out}`)
  if (failedSections.length > 0) process.exitCode = 1
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`)
  process.exit(1)
})
