import { mkdir, open, readFile } from 'node:fs/promises'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { dirname } from 'node:path'
import type { ScoredFill } from '../domain/tca/calibration-report.js'
import type { Side } from '../domain/units.js'

/**
 * One accepted TCA execution as the recalibration job reads it: a real parent order, the best
 * impact sample there is. advBase and volDaily are the values the analysis used.
 */
export interface TcaRecord {
  receivedAtMs: number
  /** when the order executed (client-supplied), else receivedAtMs */
  executedAtMs: number
  symbol: string
  side: Side
  qtyBase: number
  execPriceQuote: number
  arrivalPriceQuote: number
  advBase: number
  volDaily: number
  relSpread: number
  /**
   * The prediction the TCA scored this execution against (issue 15), for the calibration report;
   * absent on records stored before it, or when the prediction had no spread (zScore absent).
   */
  prediction?: TcaPrediction
}

/**
 * A stored execution's predicted cost distribution and how the realised cost compares: the scored
 * fill (participation, notional, realised shortfall, predicted cost and std, z; predicted cost =
 * impact + half spread, bps, since fees are known) and the model version and execution behind it.
 */
export type TcaPrediction = ScoredFill & {
  /** the model slot and version that predicted it (active at startMs) */
  model: string
  version: string
  /** start of the execution (startMs, else executedAtMs), ms */
  startMs: number
  /** end of a worked execution and how it was worked (absent: at once) */
  endMs?: number
  strategy?: 'twap' | 'vwap'
}

/** Where accepted TCA records go. `append` resolves only once the records are durable. */
export interface TcaStore {
  append: (records: readonly TcaRecord[]) => Promise<void>
  /** Records of `symbol` executed at or after `sinceMs`, oldest first. */
  read: (symbol: string, sinceMs?: number) => Promise<TcaRecord[]>
}

/** Lines parsed between two yields to the event loop (well under a millisecond of JSON.parse). */
const READ_SLICE_LINES = 200

/** Appends waiting for the next write: they share one write and one fsync (group commit). */
interface PendingWrite {
  lines: string[]
  records: TcaRecord[]
  /** resolves once every line of the group is on disk and synced */
  done: Promise<void>
}

/**
 * TCA records in an append-only JSON-lines file, written by this process only. Writes are
 * serialised so lines never interleave, and grouped: appends arriving while a write is in flight
 * wait for the next one, which writes and fsyncs them all at once, so concurrent requests share a
 * sync instead of queueing one each. A torn last line (crash mid-write) is skipped on read, never
 * fatal. The file is parsed once, on the first read, in slices that yield to the event loop; the
 * parsed records are then kept in memory and appended to, so the job's reads never parse again.
 */
export class FileTcaStore implements TcaStore {
  readonly #path: string
  #tail: Promise<void> = Promise.resolve()
  /** the group the next write takes, while it has not started */
  #next: PendingWrite | undefined
  /** every record in the file, in file order, once loaded */
  #records: TcaRecord[] | undefined
  #loading: Promise<TcaRecord[]> | undefined
  /** whether the file's directory exists (made once per process; tried again after a failure) */
  #dirMade = false
  /** whether the file's last byte was checked for a torn line (once per process) */
  #tailChecked = false

  constructor (path: string) {
    this.#path = path
  }

  async append (records: readonly TcaRecord[]): Promise<void> {
    if (records.length === 0) return
    const group = this.#next ??= this.#queueWrite()
    for (const r of records) {
      group.lines.push(JSON.stringify(r))
      group.records.push(r)
    }
    await group.done
  }

  /** A group written after whatever is queued before it; it closes to new appends when its write starts. */
  #queueWrite (): PendingWrite {
    const group: PendingWrite = { lines: [], records: [], done: Promise.resolve() }
    group.done = this.#tail.then(async () => {
      this.#next = undefined
      if (!this.#dirMade) {
        await mkdir(dirname(this.#path), { recursive: true })
        this.#dirMade = true
      }
      const file = await open(this.#path, 'a+')
      try {
        // a crash mid-write leaves a torn last line: start on a fresh line so this record is not glued to it
        if (!this.#tailChecked) {
          const { size } = await file.stat()
          const last = Buffer.alloc(1)
          if (size > 0) await file.read(last, 0, 1, size - 1)
          this.#tailChecked = true
          if (size > 0 && last[0] !== 0x0a) await file.write('\n')
        }
        await file.write(group.lines.join('\n') + '\n')
        await file.sync()
      } finally {
        await file.close()
      }
      // in the same queue as the load: a record is either in the text it parsed or pushed here, never both
      if (this.#records !== undefined) for (const r of group.records) this.#records.push(r)
    })
    this.#tail = group.done.catch(() => {})
    return group
  }

  async read (symbol: string, sinceMs = 0): Promise<TcaRecord[]> {
    const all = this.#records ?? await (this.#loading ??= this.#load())
    return all.filter((r) => r.symbol === symbol && r.executedAtMs >= sinceMs).sort((a, b) => a.executedAtMs - b.executedAtMs)
  }

  /** Parses the file in the append queue. @throws the read error (a later read tries again). */
  async #load (): Promise<TcaRecord[]> {
    const load = this.#tail.then(async () => {
      let text: string
      try {
        text = await readFile(this.#path, 'utf8')
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
        text = ''
      }
      const out: TcaRecord[] = []
      const lines = text.split('\n')
      for (let i = 0; i < lines.length; i++) {
        if (i > 0 && i % READ_SLICE_LINES === 0) await yieldToEventLoop()
        if (lines[i] === '') continue
        try {
          out.push(JSON.parse(lines[i]) as TcaRecord)
        } catch {
          // a torn last line
        }
      }
      this.#records = out
      return out
    })
    this.#tail = load.then(() => {}, () => {})
    try {
      return await load
    } finally {
      this.#loading = undefined
    }
  }
}
