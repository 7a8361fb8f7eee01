/**
 * The public trade tape: Bybit's `publicTrade.<SYMBOL>` WebSocket topics on undici's WebSocket,
 * kept per symbol in a bounded TradeBuffer (`side` = taker side, the signed flow the recalibration
 * needs). Sends `{"op":"ping"}` every pingIntervalMs (Bybit asks for 20 s). On close, error or
 * silence longer than staleAfterMs it drops the socket and reconnects after a capped exponential
 * backoff with equal jitter, `ceiling * (0.5 + 0.5 * random())`, `ceiling = min(reconnectMaxMs,
 * reconnectBaseMs * 2^attempt)` (half the ceiling at least, so a dead server is not hammered),
 * resubscribes, then fills the gap with GET /v5/market/recent-trade (merged by trade id, no
 * duplicates). A fill whose oldest trade is newer than the last trade held before the drop cannot
 * prove the gap closed: it is counted in `state().unfilledGaps` and reported. Failures become
 * events and state, never exceptions; timers are unref()ed and cleared by stop().
 */
import { WebSocket } from 'undici'
import { isSymbol } from '../../domain/symbol.js'
import type { MarketDataSource, TapeState, TradeFeed, Trade } from '../market-data.js'
import { parseWsMessage } from './parse.js'
import { TradeBuffer } from './trade-buffer.js'
import { publicTradeTopic, type BybitCategory, type WireWsRequest } from './wire.js'

/** What the tape reports through `onEvent` (for logs and metrics). */
export type TapeEvent =
  | { type: 'open', reconnect: boolean }
  | { type: 'subscribed' }
  | { type: 'subscribe-failed', retMsg: string }
  | { type: 'pong' }
  | { type: 'closed', code: number, reason: string }
  | { type: 'stale', silentMs: number }
  | { type: 'reconnect-scheduled', attempt: number, delayMs: number }
  | { type: 'gap-filled', symbol: string, fetched: number, added: number, complete: boolean }
  | { type: 'gap-fill-failed', symbol: string, error: unknown }
  | { type: 'message-error', error: unknown }

export interface TradeTapeOptions {
  /** e.g. wss://stream.bybit.com/v5/public/linear */
  wsUrl: string
  symbols: readonly string[]
  /** gap fill after a reconnect */
  client: Pick<MarketDataSource, 'getRecentTrades'>
  category: BybitCategory
  /** default 200_000 */
  maxTradesPerSymbol?: number
  /** default 20_000 */
  pingIntervalMs?: number
  /** no message (pongs included) for this long drops the socket; default 3 * pingIntervalMs */
  staleAfterMs?: number
  /** default 500 */
  reconnectBaseMs?: number
  /** default 30_000 */
  reconnectMaxMs?: number
  /** recent trades fetched per symbol after a reconnect; default 1000 (spot: 60, Bybit's maximum) */
  gapFillLimit?: number
  nowMs?: () => number
  random?: () => number
  onEvent?: (event: TapeEvent) => void
}

/** Topics per subscribe request (Bybit spot accepts at most 10). */
const TOPICS_PER_REQUEST = 10
const CLOSE_WAIT_MS = 1000

function positiveInteger (name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`TradeTape: options.${name} must be a positive integer (got ${value})`)
  return value
}

export class TradeTape implements TradeFeed {
  private readonly options: Readonly<Required<Omit<TradeTapeOptions, 'onEvent'>>> & Pick<TradeTapeOptions, 'onEvent'>
  private readonly buffers = new Map<string, TradeBuffer>()
  private socket: WebSocket | undefined
  private pingTimer: NodeJS.Timeout | undefined
  private reconnectTimer: NodeJS.Timeout | undefined
  private running = false
  private everOpened = false
  private attempt = 0
  private openedAtMs = 0
  private counters = { reconnects: 0, connectFailures: 0, unfilledGaps: 0 }
  private connected = false
  private lastMessageMs: number | undefined

  /** @throws TypeError / RangeError naming the bad option. */
  constructor (options: TradeTapeOptions) {
    if (typeof options.wsUrl !== 'string' || !/^wss?:\/\//.test(options.wsUrl)) throw new TypeError(`TradeTape: options.wsUrl must be a ws:// or wss:// URL (got ${JSON.stringify(options.wsUrl)})`)
    if (!Array.isArray(options.symbols) || options.symbols.length === 0 || !options.symbols.every(isSymbol)) {
      throw new TypeError('TradeTape: options.symbols must be a non-empty array of upper-case symbols')
    }
    if (typeof options.client?.getRecentTrades !== 'function') throw new TypeError('TradeTape: options.client must have getRecentTrades')
    const pingIntervalMs = positiveInteger('pingIntervalMs', options.pingIntervalMs ?? 20_000)
    this.options = Object.freeze({
      ...options,
      symbols: [...new Set(options.symbols)],
      maxTradesPerSymbol: positiveInteger('maxTradesPerSymbol', options.maxTradesPerSymbol ?? 200_000),
      pingIntervalMs,
      staleAfterMs: positiveInteger('staleAfterMs', options.staleAfterMs ?? 3 * pingIntervalMs),
      reconnectBaseMs: positiveInteger('reconnectBaseMs', options.reconnectBaseMs ?? 500),
      reconnectMaxMs: positiveInteger('reconnectMaxMs', options.reconnectMaxMs ?? 30_000),
      gapFillLimit: positiveInteger('gapFillLimit', options.gapFillLimit ?? (options.category === 'spot' ? 60 : 1000)),
      nowMs: options.nowMs ?? Date.now,
      random: options.random ?? Math.random
    })
    for (const symbol of this.options.symbols) this.buffers.set(symbol, new TradeBuffer(this.options.maxTradesPerSymbol))
  }

  /** Connects and subscribes; a no-op when already running. */
  start (): void {
    if (this.running) return
    this.running = true
    this.connect()
  }

  /** Stops reconnecting, clears timers and closes the socket (waits up to 1 s for its close). */
  async stop (): Promise<void> {
    this.running = false
    clearTimeout(this.reconnectTimer)
    clearInterval(this.pingTimer)
    this.reconnectTimer = undefined
    this.pingTimer = undefined
    const socket = this.socket
    this.socket = undefined
    this.connected = false
    if (socket === undefined || socket.readyState === WebSocket.CLOSED) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_WAIT_MS)
      timer.unref()
      socket.addEventListener('close', () => { clearTimeout(timer); resolve() })
      socket.close()
    })
  }

  /**
   * Trades of `symbol` with sinceMs <= tsMs < untilMs, ascending (a copy).
   * @throws RangeError when the symbol is not on the tape.
   */
  trades (symbol: string, sinceMs?: number, untilMs?: number): Trade[] {
    const buffer = this.buffers.get(symbol)
    if (buffer === undefined) throw new RangeError(`TradeTape: symbol ${JSON.stringify(symbol)} is not on the tape (${this.options.symbols.join(', ')})`)
    return buffer.range(sinceMs, untilMs)
  }

  state (): TapeState {
    const tradesBySymbol: Record<string, number> = {}
    for (const [symbol, buffer] of this.buffers) tradesBySymbol[symbol] = buffer.size
    const state: TapeState = { connected: this.connected, ...this.counters, tradesBySymbol }
    if (this.lastMessageMs !== undefined) state.lastMessageMs = this.lastMessageMs
    return state
  }

  private emit (event: TapeEvent): void {
    try {
      this.options.onEvent?.(event)
    } catch {
      // a failing listener must not break the tape
    }
  }

  private connect (): void {
    let socket: WebSocket
    try {
      socket = new WebSocket(this.options.wsUrl)
    } catch (error) {
      this.emit({ type: 'message-error', error })
      this.counters.connectFailures++
      this.scheduleReconnect()
      return
    }
    socket.binaryType = 'arraybuffer'
    this.socket = socket
    let opened = false
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return
      opened = true
      this.onOpen(socket)
    })
    socket.addEventListener('message', (event) => {
      if (this.socket === socket) this.onMessage(event.data)
    })
    const lost = (code: number, reason: string): void => {
      if (this.socket !== socket) return
      if (!opened) this.counters.connectFailures++
      this.emit({ type: 'closed', code, reason })
      this.abandon(socket)
      this.scheduleReconnect()
    }
    socket.addEventListener('close', (event) => { lost(event.code, event.reason) })
    socket.addEventListener('error', () => { lost(1006, 'error') })
  }

  private onOpen (socket: WebSocket): void {
    const reconnect = this.everOpened
    this.everOpened = true
    this.connected = true
    this.attempt = 0
    this.openedAtMs = this.options.nowMs()
    if (reconnect) this.counters.reconnects++
    this.emit({ type: 'open', reconnect })
    const topics = this.options.symbols.map(publicTradeTopic)
    for (let i = 0; i < topics.length; i += TOPICS_PER_REQUEST) this.send(socket, { op: 'subscribe', args: topics.slice(i, i + TOPICS_PER_REQUEST) })
    clearInterval(this.pingTimer)
    this.pingTimer = setInterval(() => { this.onPingTick(socket) }, this.options.pingIntervalMs)
    this.pingTimer.unref()
    if (reconnect) for (const symbol of this.options.symbols) void this.fillGap(symbol)
  }

  private onPingTick (socket: WebSocket): void {
    if (this.socket !== socket) return
    const silentMs = this.options.nowMs() - Math.max(this.lastMessageMs ?? 0, this.openedAtMs)
    if (silentMs > this.options.staleAfterMs) {
      this.emit({ type: 'stale', silentMs })
      this.abandon(socket)
      this.scheduleReconnect()
      return
    }
    this.send(socket, { op: 'ping' })
  }

  private onMessage (data: unknown): void {
    this.lastMessageMs = this.options.nowMs()
    try {
      const text = typeof data === 'string' ? data : new TextDecoder().decode(data as ArrayBuffer)
      const message = parseWsMessage(JSON.parse(text), this.options.category)
      if (message.kind === 'trades') {
        this.buffers.get(message.symbol)?.insert(message.trades)
      } else if (message.kind === 'op') {
        if (message.op === 'subscribe') this.emit(message.success ? { type: 'subscribed' } : { type: 'subscribe-failed', retMsg: message.retMsg })
        else if ((message.op === 'ping' || message.op === 'pong') && message.success) this.emit({ type: 'pong' })
      }
    } catch (error) {
      this.emit({ type: 'message-error', error })
    }
  }

  /** Forgets the socket (its late events are ignored) and closes it. */
  private abandon (socket: WebSocket): void {
    if (this.socket === socket) this.socket = undefined
    this.connected = false
    clearInterval(this.pingTimer)
    this.pingTimer = undefined
    try {
      if (socket.readyState === WebSocket.CONNECTING || socket.readyState === WebSocket.OPEN) socket.close()
    } catch {
      // already closing
    }
  }

  private scheduleReconnect (): void {
    if (!this.running || this.reconnectTimer !== undefined) return
    const { reconnectBaseMs, reconnectMaxMs, random } = this.options
    const ceilingMs = Math.min(reconnectMaxMs, reconnectBaseMs * 2 ** Math.min(this.attempt, 30))
    const delayMs = Math.round(ceilingMs * (0.5 + 0.5 * random()))
    this.attempt++
    this.emit({ type: 'reconnect-scheduled', attempt: this.attempt, delayMs })
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined
      if (this.running) this.connect()
    }, delayMs)
    this.reconnectTimer.unref()
  }

  private send (socket: WebSocket, request: WireWsRequest): void {
    if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(request))
  }

  private async fillGap (symbol: string): Promise<void> {
    const buffer = this.buffers.get(symbol)
    if (buffer === undefined) return
    const lastBeforeMs = buffer.last()?.tsMs
    try {
      const trades = await this.options.client.getRecentTrades({ category: this.options.category, symbol, limit: this.options.gapFillLimit })
      if (!this.running) return
      const added = buffer.insert(trades)
      const complete = lastBeforeMs === undefined || (trades.length > 0 && trades[0].tsMs <= lastBeforeMs)
      if (!complete) this.counters.unfilledGaps++
      this.emit({ type: 'gap-filled', symbol, fetched: trades.length, added, complete })
    } catch (error) {
      if (!this.running) return
      this.counters.unfilledGaps++
      this.emit({ type: 'gap-fill-failed', symbol, error })
    }
  }
}
