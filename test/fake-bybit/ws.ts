/**
 * The public linear WebSocket of the fake Bybit (/v5/public/linear) on the `ws` package.
 * Replies follow Bybit's docs for linear/inverse public streams (docs/v5/ws/connect):
 *   subscribe -> {"success":true,"ret_msg":"","conn_id":"…","req_id":"…","op":"subscribe"}
 *   ping      -> {"success":true,"ret_msg":"pong","conn_id":"…","req_id":"…","op":"ping"}
 * (req_id echoed, "" when the request had none). Only `publicTrade.<SYMBOL>` topics are served;
 * any other topic fails the whole request with success false. Trade pushes:
 *   {"topic":"publicTrade.BTCUSDT","type":"snapshot","ts":…,"data":[{"T","s","S","v","p","L","i","BT","seq"}]}
 * with data ascending by time, at most TRADES_PER_MESSAGE trades per message, `ts` = the newest T.
 */
import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type WebSocket } from 'ws'
import { tradeStrings, type StoredTrade } from './tape.js'

export const WS_PATH = '/v5/public/linear'
export const TRADES_PER_MESSAGE = 100

type Connection = { socket: WebSocket, connId: string, topics: Set<string> }

type ClientMessage = { op?: unknown, args?: unknown, req_id?: unknown }

export class PublicStream {
  private readonly wss = new WebSocketServer({ noServer: true })
  private readonly connections = new Set<Connection>()
  /** the close code of every connection that ended, in order: 1000 or 1005 after a client's close frame, 1006 without one */
  readonly closeCodes: number[] = []

  /** Completes an HTTP upgrade already routed to WS_PATH. */
  accept (request: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      const connection: Connection = { socket: ws, connId: randomUUID(), topics: new Set() }
      this.connections.add(connection)
      ws.on('close', (code) => { this.connections.delete(connection); this.closeCodes.push(code) })
      ws.on('error', () => this.connections.delete(connection))
      ws.on('message', (raw) => this.onMessage(connection, String(raw)))
    })
  }

  private onMessage (connection: Connection, text: string): void {
    let message: ClientMessage
    try {
      message = JSON.parse(text) as ClientMessage
    } catch {
      this.send(connection, { success: false, ret_msg: 'error:invalid json', conn_id: connection.connId, req_id: '', op: '' })
      return
    }
    const reqId = typeof message.req_id === 'string' ? message.req_id : ''
    const reply = (success: boolean, retMsg: string, op: string): void => {
      this.send(connection, { success, ret_msg: retMsg, conn_id: connection.connId, req_id: reqId, op })
    }
    if (message.op === 'ping') return reply(true, 'pong', 'ping')
    if (message.op !== 'subscribe' && message.op !== 'unsubscribe') return reply(false, `error:unknown op ${String(message.op)}`, String(message.op ?? ''))
    const topics = Array.isArray(message.args) ? message.args : []
    const bad = topics.find((topic) => typeof topic !== 'string' || !/^publicTrade\.[A-Z0-9]+$/.test(topic))
    if (topics.length === 0 || bad !== undefined) return reply(false, `error:handler not found,topic:${String(bad ?? '')}`, message.op)
    for (const topic of topics as string[]) {
      if (message.op === 'subscribe') connection.topics.add(topic)
      else connection.topics.delete(topic)
    }
    reply(true, '', message.op)
  }

  private send (connection: Connection, payload: unknown): void {
    if (connection.socket.readyState === connection.socket.OPEN) connection.socket.send(JSON.stringify(payload))
  }

  /** Sends `trades` (oldest first) to every subscriber of publicTrade.<symbol>. */
  publishTrades (symbol: string, trades: readonly StoredTrade[]): void {
    const topic = `publicTrade.${symbol}`
    for (let i = 0; i < trades.length; i += TRADES_PER_MESSAGE) {
      const chunk = trades.slice(i, i + TRADES_PER_MESSAGE)
      const data = chunk.map((trade) => {
        const { price, size } = tradeStrings(symbol, trade)
        return { T: trade.tsMs, s: symbol, S: trade.side, v: size, p: price, L: trade.tickDirection, i: trade.id, BT: false, seq: trade.seq }
      })
      const ts = Math.max(...chunk.map((trade) => trade.tsMs))
      for (const connection of this.connections) {
        if (connection.topics.has(topic)) this.send(connection, { topic, type: 'snapshot', ts, data })
      }
    }
  }

  /** Drops every open connection without a close handshake (the client sees code 1006). */
  dropAll (): void {
    for (const connection of this.connections) connection.socket.terminate()
    this.connections.clear()
  }

  count (): number {
    return this.connections.size
  }

  close (): Promise<void> {
    this.dropAll()
    return new Promise((resolve) => this.wss.close(() => resolve()))
  }
}
