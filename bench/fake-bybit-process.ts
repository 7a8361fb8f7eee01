/**
 * The fake Bybit (test/fake-bybit) in a process of its own, forked by retrain.ts: answering the
 * server's kline requests takes tens of ms of CPU, which in the bench process would stall the load
 * generator and show up as latency. IPC only: once listening it sends `{ restUrl, wsUrl, nowMs }`;
 * `{ symbol, trades }` pushes those trades on the WebSocket and is answered `{ pushed }`; it exits
 * when the bench disconnects.
 */
import { startFakeBybit } from '../test/fake-bybit/server.js'

type Trades = Parameters<Awaited<ReturnType<typeof startFakeBybit>>['pushTrades']>[1]

const fake = await startFakeBybit()
process.on('message', (message: { symbol: string, trades: Trades }) => {
  fake.pushTrades(message.symbol, message.trades)
  process.send?.({ pushed: message.trades.length })
})
process.once('disconnect', () => { void fake.close().finally(() => process.exit(0)) })
process.send?.({ restUrl: fake.restUrl, wsUrl: fake.wsUrl, nowMs: fake.nowMs() })
