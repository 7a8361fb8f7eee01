import { mkdir, open, readFile } from 'node:fs/promises'
import { setImmediate as yieldToEventLoop } from 'node:timers/promises'
import { dirname } from 'node:path'
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
}

/** Where accepted TCA records go. `append` resolves only once the records are durable. */
export interface TcaStore {
  append: (records: readonly TcaRecord[]) => Promise<void>
  /** Records of `symbol` executed at or after `sinceMs`, oldest first. */
  read: (symbol: string, sinceMs?: number) => Promise<TcaRecord[]>
}

/**
 * TCA records in an append-only JSON-lines file (one process). Appends are serialised so lines
 * never interleave; a torn last line (crash mid-write) is skipped on read, never fatal.
 */
/** Lines parsed between two yields to the event loop (about a millisecond of JSON.parse). */
const READ_SLICE_LINES = 500

export class FileTcaStore implements TcaStore {
  readonly #path: string
  #tail: Promise<void> = Promise.resolve()
  #dirReady: Promise<unknown> | undefined

  constructor (path: string) {
    this.#path = path
  }

  async append (records: readonly TcaRecord[]): Promise<void> {
    if (records.length === 0) return
    const text = records.map((r) => JSON.stringify(r)).join('\n') + '\n'
    this.#dirReady ??= mkdir(dirname(this.#path), { recursive: true })
    const write = this.#tail.then(async () => {
      await this.#dirReady
      const file = await open(this.#path, 'a')
      try {
        await file.write(text)
        await file.sync()
      } finally {
        await file.close()
      }
    })
    this.#tail = write.catch(() => {})
    await write
  }

  async read (symbol: string, sinceMs = 0): Promise<TcaRecord[]> {
    let text: string
    try {
      text = await readFile(this.#path, 'utf8')
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw err
    }
    const out: TcaRecord[] = []
    const lines = text.split('\n')
    for (let i = 0; i < lines.length; i++) {
      // a big file is parsed in slices, yielding between them, so serving never waits on it for long
      if (i > 0 && i % READ_SLICE_LINES === 0) await yieldToEventLoop()
      const line = lines[i]
      if (line === '') continue
      let record: TcaRecord
      try {
        record = JSON.parse(line) as TcaRecord
      } catch {
        continue
      }
      if (record.symbol === symbol && record.executedAtMs >= sinceMs) out.push(record)
    }
    return out.sort((a, b) => a.executedAtMs - b.executedAtMs)
  }
}
