import { medianOf } from './stats.js'
import type { MicroResult } from '../micro.js'
import type { Measured } from './compare.js'

/** One line of the report: our figures against a reference measured in the same run. */
export interface Row {
  scenario: string
  /** what the reference is: "baseline", "LOG_LEVEL=silent", "idle" */
  against: string
  unit: 'req/s' | 'orders/s'
  ours: Measured
  reference: Measured
  /** ours / reference: the median over the repetitions of the ratio within one */
  throughputRatio: number
  /** the lowest and highest throughput ratio of a single repetition: the spread the median sits in */
  throughputRatioRange: [number, number]
  p50Ratio: number
  p99Ratio: number
  p999Ratio: number
  /** the target in words, absent when the row has none */
  target?: string
  /** target met (or none) and no non-2xx response or error on either side */
  pass: boolean
  /** why it failed, or what else the row measured */
  note?: string
}

export interface Criterion {
  text: string
  met: (ratios: { throughput: number, p99: number }) => boolean
}

export interface RowOptions {
  criterion?: Criterion
  /** what else the row measured */
  note?: string
  /** a reason the scenario did not test what it should (e.g. no swap happened): the row fails */
  problem?: string
}

export function makeRow (scenario: string, against: string, unit: Row['unit'], ours: Measured, reference: Measured, options: RowOptions = {}): Row {
  const { criterion, note, problem } = options
  // each repetition measured both sides back to back: the ratio of a pair is immune to the machine's
  // slow drift (seen here: 2x between minutes), so the row's ratio is the median over the pairs
  const pairRatios = (metric: (r: Measured['runs'][number]) => number): number[] =>
    ours.runs.slice(0, reference.runs.length).map((r, i) => metric(r) / metric(reference.runs[i]))
  const pairRatio = (metric: (r: Measured['runs'][number]) => number): number => medianOf(pairRatios(metric))
  const throughputs = pairRatios((r) => r.requestsPerSec)
  const ratios = { throughput: pairRatio((r) => r.requestsPerSec), p99: pairRatio((r) => r.p99Ms) }
  const failures = [ours, reference].filter((m) => m.non2xx + m.errors > 0).map((m) => `${m.label}: ${m.non2xx} non-2xx ${JSON.stringify(m.otherStatuses)}, ${m.errors} errors`)
  if (problem !== undefined) failures.push(problem)
  const met = criterion === undefined || criterion.met(ratios)
  const notes = [...failures, ...(note !== undefined ? [note] : [])]
  return {
    scenario,
    against,
    unit,
    ours,
    reference,
    throughputRatio: ratios.throughput,
    throughputRatioRange: [Math.min(...throughputs), Math.max(...throughputs)],
    p50Ratio: pairRatio((r) => r.p50Ms),
    p99Ratio: ratios.p99,
    p999Ratio: pairRatio((r) => r.p999Ms),
    ...(criterion !== undefined ? { target: criterion.text } : {}),
    pass: met && failures.length === 0,
    ...(notes.length > 0 ? { note: notes.join('; ') } : {})
  }
}

function pad (text: string, width: number, right = false): string {
  return right ? text.padStart(width) : text.padEnd(width)
}

function fixed (n: number, digits: number): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a'
}

function latency (ours: number, reference: number, ratio: number): string {
  return `${fixed(ours, 2)}/${fixed(reference, 2)} (${fixed(ratio, 2)}x)`
}

function table (header: string[], lines: string[][], rightAligned: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)))
  const format = (cells: string[]): string => cells.map((c, i) => pad(c, widths[i], rightAligned.has(i))).join('  ').trimEnd()
  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(format)].join('\n')
}

/** The HTTP table: throughput, p50/p99/p99.9 of ours and the reference, each ratio, target and verdict. */
export function formatRows (rows: readonly Row[]): string {
  const header = ['scenario', 'against', 'ours/s', 'ref/s', 'thr ratio', 'p50 ms ours/ref', 'p99 ms ours/ref', 'p99.9 ms ours/ref', 'target', 'result']
  const lines = rows.map((r) => [
    r.scenario,
    r.against,
    `${Math.round(r.ours.perSec).toLocaleString('en-US')} ${r.unit}`,
    Math.round(r.reference.perSec).toLocaleString('en-US'),
    r.ours.runs.length > 1 ? `${fixed(r.throughputRatio, 2)} (${fixed(r.throughputRatioRange[0], 2)}-${fixed(r.throughputRatioRange[1], 2)})` : fixed(r.throughputRatio, 2),
    latency(r.ours.p50Ms, r.reference.p50Ms, r.p50Ratio),
    latency(r.ours.p99Ms, r.reference.p99Ms, r.p99Ratio),
    latency(r.ours.p999Ms, r.reference.p999Ms, r.p999Ratio),
    r.target ?? '-',
    r.target === undefined && r.pass ? 'ok' : r.pass ? 'PASS' : 'FAIL'
  ])
  return table(header, lines, new Set([2, 3, 4]))
}

/** The micro table; `baseline` is the inline loop computing the same numbers, or the reference a row with a target names. */
export function formatMicro (results: readonly MicroResult[]): string {
  const header = ['function', 'library ns/call', 'baseline ns/call', 'ratio', 'calls/rep lib/base', 'max rel diff', 'target', 'result']
  const lines = results.map((m) => [m.name, fixed(m.libraryNsPerCall, 1), fixed(m.inlineNsPerCall, 1), fixed(m.ratio, 2),
    `${m.callsPerRep.toLocaleString('en-US')}/${m.baselineCallsPerRep.toLocaleString('en-US')}`,
    m.maxRelDiff === null ? '-' : m.maxRelDiff.toExponential(1), m.target ?? '-', m.pass === undefined ? '-' : m.pass ? 'PASS' : 'FAIL'])
  return table(header, lines, new Set([1, 2, 3, 4, 5]))
}
