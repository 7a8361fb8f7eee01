/**
 * A fake Bybit v5 public API for tests: a real HTTP + WebSocket server on 127.0.0.1 (ephemeral
 * port) that answers in Bybit's formats from recorded data (README.md in this folder says which
 * data and every transformation), with faults you switch on per test.
 *
 * REST envelope: {"retCode":0,"retMsg":"OK","result":{…},"retExtInfo":{},"time":<fake nowMs>}.
 * Parameter errors: HTTP 200, retCode 10001. Unknown path: HTTP 404. The fake's clock (`nowMs`)
 * drives every time it reports (envelope `time`, open candle, book `ts`, rate-limit reset header);
 * `requests[].atMs` is wall-clock time (Date.now()) so tests can measure a client's back-off.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadRecordedData, MINUTE_MS, type RecordedData } from './recorded-data.js'
import { klineResult, type KlineResult } from './klines.js'
import { instrumentsResult, lastPriceQuote, orderbookResult, tickersResult } from './market-views.js'
import { loadRecordedTape, recentTradeItem, recentTradeParams, TradeStore, type PushedTrade } from './tape.js'
import { FaultBook, KLINE_PATH, dropMiddleBars, spoilNumber, truncateJson, type Fault, type FaultRule } from './faults.js'
import { PublicStream, WS_PATH } from './ws.js'
import { VenueParamsError, type Query } from './params.js'

export type { Fault, FaultRule } from './faults.js'
export type { PushedTrade } from './tape.js'
export { loadRecordedTape } from './tape.js'

export interface FakeBybitOptions { nowMs?: number }

export interface FakeBybit {
  restUrl: string
  wsUrl: string
  requests: Array<{ path: string, query: Record<string, string>, atMs: number }>
  addFault(rule: FaultRule): void
  clearFaults(): void
  setNowMs(ms: number): void
  /** The fake's clock. */
  nowMs(): number
  /** publicTrade messages the WS sends: pushes now to every subscriber of publicTrade.<symbol> */
  pushTrades(symbol: string, trades: Array<{ tsMs: number, side: 'Buy' | 'Sell', sizeBase: number, priceQuote: number, id?: string }>): void
  /** close every open WebSocket (a "dropped connection"); new connections are accepted */
  dropWebSockets(): void
  wsConnections(): number
  /** close codes of ended WebSocket connections, oldest first (1000/1005: the client sent a close frame; 1006: it did not) */
  wsCloseCodes(): number[]
  close(): Promise<void>
}

/** Symbols whose recent-trade answer defaults to the recorded Binance USD-M tape. */
const TAPE_SYMBOLS = new Set(['BTCUSDT', 'ETHUSDT'])

/** Default clock: one minute after the last recorded bar's start, i.e. the open candle starts right after the recording. */
export function defaultNowMs (data: RecordedData): number {
  return data.bars[data.bars.length - 1].startMs + MINUTE_MS
}

type Answer = { retCode: number, retMsg: string, result: unknown }

function checkNowMs (ms: number, label: string): number {
  if (!Number.isInteger(ms) || ms < 0) throw new RangeError(`${label}: nowMs must be a non-negative integer, got ${ms}`)
  return ms
}

/**
 * Starts the fake on 127.0.0.1 with an ephemeral port.
 * @throws {RangeError} on a nowMs that is not a non-negative integer.
 * @throws {Error} when the recorded data cannot be read.
 */
export async function startFakeBybit (options: FakeBybitOptions = {}): Promise<FakeBybit> {
  const data = await loadRecordedData()
  let nowMs = checkNowMs(options.nowMs ?? defaultNowMs(data), 'startFakeBybit')
  const faults = new FaultBook()
  const trades = new TradeStore()
  const stream = new PublicStream()
  const requests: FakeBybit['requests'] = []
  const timers = new Set<NodeJS.Timeout>()
  let bookUpdates = 0

  async function ensureDefaultTape (symbol: string): Promise<void> {
    if (!TAPE_SYMBOLS.has(symbol) || trades.hasPushed(symbol) || trades.has(symbol)) return
    const tape = await loadRecordedTape(symbol, { nowMs, anchorPriceQuote: lastPriceQuote(data, symbol, nowMs) })
    if (!trades.hasPushed(symbol) && !trades.has(symbol)) trades.add(symbol, tape, false)
  }

  async function answer (path: string, query: Query): Promise<Answer | undefined> {
    const ok = (result: unknown): Answer => ({ retCode: 0, retMsg: 'OK', result })
    try {
      switch (path) {
        case KLINE_PATH: return ok(klineResult(data, query, nowMs))
        case '/v5/market/tickers': return ok(tickersResult(data, query, nowMs))
        case '/v5/market/orderbook': return ok(orderbookResult(data, query, nowMs, ++bookUpdates))
        case '/v5/market/instruments-info': return ok(instrumentsResult(data, query))
        case '/v5/market/recent-trade': {
          const { symbol, limit } = recentTradeParams(query)
          await ensureDefaultTape(symbol)
          return ok({ category: 'linear', list: trades.latest(symbol, limit).map((trade) => recentTradeItem(symbol, trade)) })
        }
        default: return undefined
      }
    } catch (error) {
      if (error instanceof VenueParamsError) return { retCode: error.retCode, retMsg: error.message, result: {} }
      throw error
    }
  }

  function sendJson (res: ServerResponse, text: string, headers: Record<string, string> = {}): void {
    if (res.destroyed) return
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', ...headers })
    res.end(text)
  }

  const envelope = (a: Answer): string => JSON.stringify({ retCode: a.retCode, retMsg: a.retMsg, result: a.result, retExtInfo: {}, time: nowMs })

  async function respond (res: ServerResponse, path: string, query: Query, fault: Fault | undefined): Promise<void> {
    const a = await answer(path, query)
    if (res.destroyed) return
    if (a === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(`fake-bybit: no route ${path}`)
      return
    }
    // spoil a copy: results may share arrays with the recorded data cached for the whole process
    if (a.retCode === 0 && fault?.kind === 'bad-number' && !spoilNumber(a.result = structuredClone(a.result), fault.field)) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(`fake-bybit: bad-number field "${fault.field}" not found in the ${path} response`)
      return
    }
    if (a.retCode === 0 && fault?.kind === 'kline-gap') dropMiddleBars((a.result as KlineResult).list, fault.missingBars)
    const text = envelope(a)
    sendJson(res, fault?.kind === 'malformed-json' ? truncateJson(text) : text)
  }

  async function handle (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const query: Query = Object.fromEntries(url.searchParams)
    requests.push({ path: url.pathname, query, atMs: Date.now() })
    const fault = faults.takeForRequest(url.pathname, query)
    switch (fault?.kind) {
      case 'reset':
        req.socket.destroy()
        return
      case 'http-status':
        res.writeHead(fault.status, { 'content-type': 'text/html' })
        res.end(`<html><head><title>${fault.status}</title></head><body><h1>${fault.status}</h1></body></html>`)
        return
      case 'rate-limit':
        sendJson(res, envelope({ retCode: 10006, retMsg: 'Too many visits!', result: {} }), {
          'x-bapi-limit': '600',
          'x-bapi-limit-status': '0',
          'x-bapi-limit-reset-timestamp': String(nowMs + fault.resetInMs)
        })
        return
      case 'venue-error':
        sendJson(res, envelope({ retCode: fault.retCode, retMsg: fault.retMsg, result: {} }))
        return
      case 'slow': {
        const timer = setTimeout(() => {
          timers.delete(timer)
          respond(res, url.pathname, query, undefined).catch(() => res.destroy())
        }, fault.delayMs)
        timers.add(timer)
        return
      }
      default:
        await respond(res, url.pathname, query, fault)
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (res.headersSent) { res.destroy(); return }
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' })
      res.end(`fake-bybit: ${error instanceof Error ? error.message : String(error)}`)
    })
  })
  server.on('upgrade', (req: IncomingMessage, socket, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname
    const fault = path === WS_PATH ? faults.takeForUpgrade(path) : undefined
    if (path !== WS_PATH || fault?.kind === 'http-status') {
      const status = fault?.kind === 'http-status' ? fault.status : 404
      socket.end(`HTTP/1.1 ${status} Fake\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
      return
    }
    if (fault?.kind === 'reset') { socket.destroy(); return }
    stream.accept(req, socket, head)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo

  return {
    restUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}${WS_PATH}`,
    requests,
    addFault: (rule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    setNowMs: (ms) => { nowMs = checkNowMs(ms, 'setNowMs') },
    nowMs: () => nowMs,
    pushTrades: (symbol, pushed: PushedTrade[]) => stream.publishTrades(symbol, trades.add(symbol, pushed, true)),
    dropWebSockets: () => stream.dropAll(),
    wsConnections: () => stream.count(),
    wsCloseCodes: () => [...stream.closeCodes],
    close: async () => {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      await stream.close()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
