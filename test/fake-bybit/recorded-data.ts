/**
 * The recorded data the fake Bybit answers from, read once per process (cached promise) from
 * `$PRETRADE_DATA_DIR` or ../shared/data (scripts/lib/data-dir.ts), never copied into the repo.
 * See test/fake-bybit/README.md for what each file is and how it is transformed.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { resolveDataDir } from '../../scripts/lib/data-dir.js'
import { readCsv, columnIndices, parseFiniteNumber } from '../../scripts/lib/csv.js'

export const MINUTE_MS = 60_000

/** One recorded inverse BTCUSD 1-minute bar: prices USD, volumeUsd = contracts, turnoverBtc = base. */
export type InverseBar = {
  startMs: number
  open: number
  high: number
  low: number
  close: number
  volumeUsd: number
  turnoverBtc: number
}

/** A book level as Bybit sends it: [price, size], both decimal strings. */
export type Level = [string, string]

export type RecordedBook = {
  bids: Level[]
  asks: Level[]
  u: number
  seq: number
}

export type RecordedData = {
  /** 2,012 consecutive bars, ascending (klines_1m.csv). */
  bars: InverseBar[]
  /** The ccxt-captured linear BTCUSDT order book (2 levels a side, 2024-02-01). */
  btcBook: RecordedBook
  /** The real XRPUSDT orderbook.500 snapshot with its 49 deltas applied (2024-12-01). */
  xrpBook: RecordedBook
  /** Bybit's docs example item of /v5/market/instruments-info (linear BTCUSDT). */
  instrumentTemplate: Record<string, unknown>
}

export const DATA_PATHS = {
  inverseKlines: 'bybit-btcusd-inverse-1m-klines/klines_1m.csv',
  btcBook: 'bybit-samples/ccxt-captured/orderbook.linear.BTCUSDT.json',
  xrpBook: 'bybit-samples/ws-orderbook-ob500/2024-12-01_XRPUSDT_ob500.data',
  instruments: 'bybit-samples/docs-examples/instruments-info.linear.json',
  trades: 'binance-hftbacktest-l2-trades/trades.csv.gz'
} as const

let cached: Promise<RecordedData> | undefined

/**
 * The recorded data, loaded on first call and shared afterwards.
 * @throws {Error} when a file is missing or its content breaks an assumption (gap in the bars, empty book).
 */
export function loadRecordedData (dataDir: string = resolveDataDir()): Promise<RecordedData> {
  if (cached === undefined) {
    cached = readAll(dataDir)
    cached.catch(() => { cached = undefined })
  }
  return cached
}

async function readAll (dataDir: string): Promise<RecordedData> {
  const [bars, btcBook, xrpBook, instrumentTemplate] = await Promise.all([
    readInverseBars(path.join(dataDir, DATA_PATHS.inverseKlines)),
    readCcxtBook(path.join(dataDir, DATA_PATHS.btcBook)),
    readWsBook(path.join(dataDir, DATA_PATHS.xrpBook)),
    readInstrumentTemplate(path.join(dataDir, DATA_PATHS.instruments))
  ])
  return { bars, btcBook, xrpBook, instrumentTemplate }
}

async function readInverseBars (filePath: string): Promise<InverseBar[]> {
  const label = path.basename(filePath)
  const table = await readCsv(filePath)
  const col = columnIndices(table, ['start_time_ms', 'open', 'high', 'low', 'close', 'volume', 'turnover'] as const, label)
  const bars = table.rows.map((row, i): InverseBar => ({
    startMs: parseFiniteNumber(row[col.start_time_ms], label, i, 'start_time_ms'),
    open: parseFiniteNumber(row[col.open], label, i, 'open'),
    high: parseFiniteNumber(row[col.high], label, i, 'high'),
    low: parseFiniteNumber(row[col.low], label, i, 'low'),
    close: parseFiniteNumber(row[col.close], label, i, 'close'),
    volumeUsd: parseFiniteNumber(row[col.volume], label, i, 'volume'),
    turnoverBtc: parseFiniteNumber(row[col.turnover], label, i, 'turnover')
  }))
  if (bars.length === 0) throw new Error(`${label}: no bars`)
  for (let i = 1; i < bars.length; i++) {
    if (bars[i].startMs - bars[i - 1].startMs !== MINUTE_MS) throw new Error(`${label}: bars ${i - 1} and ${i} are not one minute apart`)
  }
  return bars
}

function sortBook (bids: Map<string, string>, asks: Map<string, string>): { bids: Level[], asks: Level[] } {
  const live = (m: Map<string, string>): Level[] => [...m].filter(([, size]) => Number(size) !== 0)
  return {
    bids: live(bids).sort((x, y) => Number(y[0]) - Number(x[0])),
    asks: live(asks).sort((x, y) => Number(x[0]) - Number(y[0]))
  }
}

async function readCcxtBook (filePath: string): Promise<RecordedBook> {
  // ccxt stored u/seq as strings; Bybit sends integers (SHAPES.md), so they are parsed here.
  const body = JSON.parse(await readFile(filePath, 'utf8')) as { result: { b: Level[], a: Level[], u: string | number, seq: string | number } }
  const { bids, asks } = sortBook(new Map(body.result.b), new Map(body.result.a))
  if (bids.length === 0 || asks.length === 0) throw new Error(`${path.basename(filePath)}: empty book side`)
  return { bids, asks, u: Number(body.result.u), seq: Number(body.result.seq) }
}

type WsBookMessage = { type: 'snapshot' | 'delta', data: { b: Level[], a: Level[], u: number, seq: number } }

/** Applies every message of the recording in order: a snapshot resets, a delta of size "0" deletes. */
async function readWsBook (filePath: string): Promise<RecordedBook> {
  const lines = (await readFile(filePath, 'utf8')).split('\n').filter((line) => line.trim() !== '')
  const bids = new Map<string, string>()
  const asks = new Map<string, string>()
  let u = 0
  let seq = 0
  for (const line of lines) {
    const message = JSON.parse(line) as WsBookMessage
    if (message.type === 'snapshot') { bids.clear(); asks.clear() }
    for (const [price, size] of message.data.b) bids.set(price, size)
    for (const [price, size] of message.data.a) asks.set(price, size)
    u = message.data.u
    seq = message.data.seq
  }
  const sorted = sortBook(bids, asks)
  if (sorted.bids.length === 0 || sorted.asks.length === 0) throw new Error(`${path.basename(filePath)}: empty book side`)
  return { ...sorted, u, seq }
}

async function readInstrumentTemplate (filePath: string): Promise<Record<string, unknown>> {
  const body = JSON.parse(await readFile(filePath, 'utf8')) as { result: { list: Array<Record<string, unknown>> } }
  const item = body.result.list[0]
  if (item === undefined) throw new Error(`${path.basename(filePath)}: result.list is empty`)
  return item
}
