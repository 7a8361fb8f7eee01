import t, { type Test } from 'tap'
import { startFakeBybit, type FakeBybit } from '../../fake-bybit/server.js'
import { BybitClient } from '../../../src/market/bybit/client.js'
import { TradeTape, type TapeEvent, type TradeTapeOptions } from '../../../src/market/bybit/trade-tape.js'
import { waitFor } from '../../support/wait.js'

const WS_PATH = '/v5/public/linear'
/** How long a test waits for something the tape should do; a guard against hanging, not a timing assertion. */
const WAIT_LIMIT_MS = 8000

const WAIT = { timeoutMs: WAIT_LIMIT_MS, everyMs: 5 }

async function setUp (t: Test, options: Partial<TradeTapeOptions> = {}): Promise<{ fake: FakeBybit, tape: TradeTape, events: TapeEvent[] }> {
  const fake = await startFakeBybit()
  const events: TapeEvent[] = []
  const client = new BybitClient({ restUrl: fake.restUrl, maxRetries: 0 })
  const tape = new TradeTape({
    wsUrl: fake.wsUrl,
    symbols: ['BTCUSDT'],
    client,
    category: 'linear',
    reconnectBaseMs: 5,
    reconnectMaxMs: 20,
    staleAfterMs: 600_000,
    onEvent: (event) => { events.push(event) },
    ...options
  })
  t.teardown(async () => { await tape.stop(); await fake.close() })
  tape.start()
  await waitFor('subscribed', () => events.some((e) => e.type === 'subscribed'), WAIT)
  return { fake, tape, events }
}

const count = (events: TapeEvent[], type: TapeEvent['type']): number => events.filter((e) => e.type === type).length

/** Pushes trades t<from>..t<to> one second apart, alternating taker sides. */
function pushRange (fake: FakeBybit, from: number, to: number, baseMs: number): void {
  const trades = []
  for (let i = from; i <= to; i++) trades.push({ tsMs: baseMs + i * 1000, side: i % 2 === 0 ? 'Sell' as const : 'Buy' as const, sizeBase: 0.25 * i, priceQuote: 84000.5 + i, id: `t${i}` })
  fake.pushTrades('BTCUSDT', trades)
}

t.test('subscribes, receives publicTrade messages, pings', async (t) => {
  const { fake, tape, events } = await setUp(t, { symbols: ['BTCUSDT', 'ETHUSDT'], pingIntervalMs: 20 })
  const baseMs = fake.nowMs() - 10_000
  pushRange(fake, 1, 3, baseMs)
  await waitFor('3 trades', () => tape.trades('BTCUSDT').length === 3, WAIT)
  t.strictSame(tape.trades('BTCUSDT'), [
    { tsMs: baseMs + 1000, symbol: 'BTCUSDT', side: 'buy', sizeBase: 0.25, priceQuote: 84001.5, id: 't1', seq: 1_000_000 },
    { tsMs: baseMs + 2000, symbol: 'BTCUSDT', side: 'sell', sizeBase: 0.5, priceQuote: 84002.5, id: 't2', seq: 1_000_001 },
    { tsMs: baseMs + 3000, symbol: 'BTCUSDT', side: 'buy', sizeBase: 0.75, priceQuote: 84003.5, id: 't3', seq: 1_000_002 }
  ], 'S "Buy"/"Sell" is the taker side; v/p parsed once; seq from the fake')
  t.strictSame(tape.trades('BTCUSDT', baseMs + 2000, baseMs + 3000).map((x) => x.id), ['t2'], 'since inclusive, until exclusive')
  await waitFor('two pongs', () => count(events, 'pong') >= 2, WAIT)
  t.pass('pings sent: the fake answered with pongs')
  t.match(tape.state(), { connected: true, reconnects: 0, connectFailures: 0, tradesBySymbol: { BTCUSDT: 3, ETHUSDT: 0 } })
  t.ok(typeof tape.state().lastMessageMs === 'number')
  t.throws(() => tape.trades('XRPUSDT'), RangeError, 'a symbol not on the tape')
})

t.test('dropped socket: reconnects after failed attempts, resubscribes, fills the gap without duplicates', async (t) => {
  const { fake, tape, events } = await setUp(t)
  const baseMs = fake.nowMs() - 60_000
  pushRange(fake, 1, 3, baseMs)
  await waitFor('3 trades', () => tape.trades('BTCUSDT').length === 3, WAIT)
  fake.addFault({ path: WS_PATH, times: 2, fault: { kind: 'http-status', status: 503 } })
  fake.dropWebSockets()
  pushRange(fake, 4, 5, baseMs) // nobody is subscribed now: only recent-trade has them
  await waitFor('gap filled', () => count(events, 'gap-filled') === 1, WAIT)
  t.match(tape.state(), { connected: true, reconnects: 1, connectFailures: 2, unfilledGaps: 0 })
  t.match(events.find((e) => e.type === 'gap-filled'), { symbol: 'BTCUSDT', fetched: 5, added: 2, complete: true }, 'recent-trade brought t1..t5; t4, t5 were new')
  t.strictSame(fake.requests.filter((r) => r.path === '/v5/market/recent-trade').map((r) => r.query), [{ category: 'linear', symbol: 'BTCUSDT', limit: '1000' }])
  await waitFor('resubscribed', () => count(events, 'subscribed') === 2, WAIT)
  pushRange(fake, 6, 6, baseMs)
  await waitFor('live trade after reconnect', () => tape.trades('BTCUSDT').length === 6, WAIT)
  t.strictSame(tape.trades('BTCUSDT').map((x) => x.id), ['t1', 't2', 't3', 't4', 't5', 't6'], 'ascending, each once')
  t.ok(count(events, 'reconnect-scheduled') >= 3, 'one reconnect per lost connection attempt')
})

t.test('a gap the recent trades cannot cover is counted, not hidden', async (t) => {
  const { fake, tape, events } = await setUp(t, { gapFillLimit: 2 })
  const baseMs = fake.nowMs() - 60_000
  pushRange(fake, 1, 3, baseMs)
  await waitFor('3 trades', () => tape.trades('BTCUSDT').length === 3, WAIT)
  fake.dropWebSockets()
  pushRange(fake, 4, 7, baseMs)
  await waitFor('gap filled', () => count(events, 'gap-filled') === 1, WAIT)
  t.match(events.find((e) => e.type === 'gap-filled'), { fetched: 2, added: 2, complete: false }, 't6, t7 fetched; t4, t5 lost')
  t.equal(tape.state().unfilledGaps, 1)
  t.strictSame(tape.trades('BTCUSDT').map((x) => x.id), ['t1', 't2', 't3', 't6', 't7'])
})

t.test('bounded buffer keeps the newest maxTradesPerSymbol trades', async (t) => {
  const { fake, tape } = await setUp(t, { maxTradesPerSymbol: 5 })
  pushRange(fake, 1, 12, fake.nowMs() - 60_000)
  await waitFor('t12', () => tape.trades('BTCUSDT').at(-1)?.id === 't12', WAIT)
  t.strictSame(tape.trades('BTCUSDT').map((x) => x.id), ['t8', 't9', 't10', 't11', 't12'])
  t.equal(tape.state().tradesBySymbol.BTCUSDT, 5)
})

t.test('a silent connection is dropped as stale and replaced', async (t) => {
  let clockMs = 1_000_000
  const { tape, events } = await setUp(t, { pingIntervalMs: 10, staleAfterMs: 60_000, nowMs: () => clockMs })
  clockMs += 120_000 // two minutes without a message on the injected clock
  await waitFor('stale', () => count(events, 'stale') >= 1, WAIT)
  await waitFor('reconnected', () => tape.state().reconnects >= 1 && tape.state().connected, WAIT)
  t.match(events.find((e) => e.type === 'stale'), { silentMs: 120_000 })
})

t.test('stop closes the socket, clears timers and does not reconnect', async (t) => {
  const { fake, tape, events } = await setUp(t, { pingIntervalMs: 10 })
  await waitFor('one connection at the fake', () => fake.wsConnections() === 1, WAIT)
  await tape.stop()
  await waitFor('fake sees the close', () => fake.wsConnections() === 0, WAIT)
  t.equal(tape.state().connected, false)
  t.equal(count(events, 'reconnect-scheduled'), 0, 'a requested close schedules no reconnect')
  await tape.stop()
  t.pass('stop twice is harmless')
})

t.test('options are validated, naming the bad one', async (t) => {
  const client = new BybitClient({ restUrl: 'http://127.0.0.1:9' })
  const base: TradeTapeOptions = { wsUrl: 'ws://127.0.0.1:9/v5/public/linear', symbols: ['BTCUSDT'], client, category: 'linear' }
  t.throws(() => new TradeTape({ ...base, wsUrl: 'http://x' }), /options\.wsUrl/)
  t.throws(() => new TradeTape({ ...base, symbols: [] }), /options\.symbols/)
  t.throws(() => new TradeTape({ ...base, symbols: ['btcusdt'] }), /options\.symbols/)
  t.throws(() => new TradeTape({ ...base, maxTradesPerSymbol: 0 }), /options\.maxTradesPerSymbol/)
  t.throws(() => new TradeTape({ ...base, pingIntervalMs: 1.5 }), /options\.pingIntervalMs/)
  t.throws(() => new TradeTape({ ...base, client: {} as never }), /options\.client/)
})
