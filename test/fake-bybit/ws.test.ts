import t from 'tap'
import { once } from 'node:events'
import WebSocket from 'ws'
import type { Teardown } from '../support/teardown.js'
import { startFake } from './fetch-json.js'
import { loadRecordedTape, type FakeBybit } from './server.js'

type Inbox = { socket: WebSocket, next: () => Promise<any> }

/** A `ws` client whose messages are read in order with next(); closed at teardown. */
async function connect (t: Teardown, fake: FakeBybit): Promise<Inbox> {
  const socket = new WebSocket(fake.wsUrl)
  const queue: any[] = []
  const waiting: Array<(m: any) => void> = []
  socket.on('message', (raw) => {
    const message = JSON.parse(String(raw))
    const waiter = waiting.shift()
    if (waiter !== undefined) waiter(message)
    else queue.push(message)
  })
  t.teardown(() => socket.terminate())
  await once(socket, 'open')
  return { socket, next: async () => queue.length > 0 ? queue.shift() : await new Promise((resolve) => waiting.push(resolve)) }
}

t.test('subscribe and ping replies have the shapes of Bybit\'s docs (linear public stream)', async (t) => {
  const fake = await startFake(t)
  const client = await connect(t, fake)
  client.socket.send(JSON.stringify({ op: 'subscribe', args: ['publicTrade.BTCUSDT'], req_id: 'sub-1' }))
  const sub = await client.next()
  t.same(Object.keys(sub), ['success', 'ret_msg', 'conn_id', 'req_id', 'op'])
  t.same({ ...sub, conn_id: 'x' }, { success: true, ret_msg: '', conn_id: 'x', req_id: 'sub-1', op: 'subscribe' })
  t.match(sub.conn_id, /^[0-9a-f-]{36}$/)
  client.socket.send(JSON.stringify({ op: 'ping', req_id: 'p1' }))
  t.same(await client.next(), { success: true, ret_msg: 'pong', conn_id: sub.conn_id, req_id: 'p1', op: 'ping' })
  client.socket.send(JSON.stringify({ op: 'ping' }))
  t.equal((await client.next()).req_id, '', 'no req_id -> ""')
  client.socket.send(JSON.stringify({ op: 'subscribe', args: ['orderbook.50.BTCUSDT'], req_id: 'bad' }))
  const bad = await client.next()
  t.equal(bad.success, false, 'only publicTrade topics are served')
  t.equal(bad.req_id, 'bad')
  t.equal(fake.wsConnections(), 1)
})

t.test('pushTrades reaches subscribers of that symbol only, in Bybit publicTrade format', async (t) => {
  const fake = await startFake(t)
  const btc = await connect(t, fake)
  const eth = await connect(t, fake)
  btc.socket.send(JSON.stringify({ op: 'subscribe', args: ['publicTrade.BTCUSDT'] }))
  eth.socket.send(JSON.stringify({ op: 'subscribe', args: ['publicTrade.ETHUSDT'] }))
  await btc.next()
  await eth.next()
  fake.pushTrades('BTCUSDT', [
    { tsMs: 1000, side: 'Buy', sizeBase: 0.001, priceQuote: 84000.5, id: 'i-1' },
    { tsMs: 1001, side: 'Sell', sizeBase: 1.25, priceQuote: 83999.9 }
  ])
  fake.pushTrades('ETHUSDT', [{ tsMs: 2000, side: 'Sell', sizeBase: 2, priceQuote: 2685.2 }])
  const message = await btc.next()
  t.same(Object.keys(message), ['topic', 'type', 'ts', 'data'])
  t.same([message.topic, message.type, message.ts], ['publicTrade.BTCUSDT', 'snapshot', 1001])
  t.same(Object.keys(message.data[0]), ['T', 's', 'S', 'v', 'p', 'L', 'i', 'BT', 'seq'])
  t.same(message.data.map((d: any) => [d.T, d.s, d.S, d.v, d.p, d.L, d.BT]), [
    [1000, 'BTCUSDT', 'Buy', '0.001', '84000.50', 'ZeroPlusTick', false],
    [1001, 'BTCUSDT', 'Sell', '1.250', '83999.90', 'MinusTick', false]
  ], 'sizes with qtyStep decimals, prices with priceScale decimals, tick direction from the previous trade')
  t.equal(message.data[0].i, 'i-1')
  t.ok(Number.isInteger(message.data[0].seq) && message.data[1].seq > message.data[0].seq)
  const ethMessage = await eth.next()
  t.equal(ethMessage.topic, 'publicTrade.ETHUSDT', 'the ETH client got no BTC message first')
  t.equal(ethMessage.data[0].p, '2685.20')
})

t.test('the recorded tape pushed in chunks keeps every trade and its real aggressor side', async (t) => {
  const fake = await startFake(t)
  const tape = await loadRecordedTape('ETHUSDT', { nowMs: fake.nowMs() })
  const client = await connect(t, fake)
  client.socket.send(JSON.stringify({ op: 'subscribe', args: ['publicTrade.ETHUSDT'] }))
  await client.next()
  const slice = tape.slice(0, 250)
  fake.pushTrades('ETHUSDT', slice)
  const received: any[] = []
  while (received.length < slice.length) received.push(...(await client.next()).data)
  t.equal(received.length, 250, 'three messages of at most 100 trades carry all 250')
  t.same(received.map((d) => d.S), slice.map((x) => x.side))
  t.same(received.map((d) => d.T), slice.map((x) => x.tsMs))
})

t.test('dropWebSockets closes every connection abnormally; new connections are accepted', async (t) => {
  const fake = await startFake(t)
  const first = await connect(t, fake)
  const second = await connect(t, fake)
  t.equal(fake.wsConnections(), 2)
  const closed = Promise.all([once(first.socket, 'close'), once(second.socket, 'close')])
  fake.dropWebSockets()
  const [[code]] = await closed
  t.equal(code, 1006, 'no close frame: abnormal closure')
  t.equal(fake.wsConnections(), 0)
  const again = await connect(t, fake)
  again.socket.send(JSON.stringify({ op: 'ping', req_id: 'after' }))
  t.equal((await again.next()).ret_msg, 'pong')
  t.equal(fake.wsConnections(), 1)
})

t.test('upgrade faults on the WebSocket path: refused with a status, or reset', async (t) => {
  const fake = await startFake(t)
  fake.addFault({ path: '/v5/public/linear', times: 1, fault: { kind: 'http-status', status: 503 } })
  fake.addFault({ path: '/v5/public/linear', times: 1, fault: { kind: 'reset' } })
  const refused = new WebSocket(fake.wsUrl)
  refused.on('error', () => {}) // terminating after 'unexpected-response' emits an error by design
  const [, response] = await once(refused, 'unexpected-response')
  t.equal(response.statusCode, 503)
  refused.terminate()
  const reset = new WebSocket(fake.wsUrl)
  const [error] = await once(reset, 'error')
  t.match(String(error), /socket hang up|ECONNRESET/)
  const ok = await connect(t, fake)
  t.equal(ok.socket.readyState, WebSocket.OPEN, 'then accepted again')
  const wrongPath = new WebSocket(fake.wsUrl.replace('linear', 'spot'))
  wrongPath.on('error', () => {})
  const [, notFound] = await once(wrongPath, 'unexpected-response')
  t.equal(notFound.statusCode, 404)
  wrongPath.terminate()
})
