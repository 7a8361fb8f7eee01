import t from 'tap'
import { sampleCollector, type SampleCollectorOptions } from '../../src/jobs/samples.js'
import type { TcaRecord } from '../../src/store/tca-store.js'

function tcaRecord (i: number): TcaRecord {
  const executedAtMs = Date.UTC(2026, 0, 1) + i * 60_000
  return { receivedAtMs: executedAtMs, executedAtMs, symbol: 'BTCUSDT', side: i % 2 === 0 ? 'buy' : 'sell', qtyBase: 1, execPriceQuote: 100.01, arrivalPriceQuote: 100, advBase: 10_000, volDaily: 0.02, relSpread: 0.0001 }
}

/** A collector whose every input records its call in `calls`. */
function collectorOf (calls: string[], tcaRecords: TcaRecord[], refresh?: SampleCollectorOptions['refresh']) {
  return sampleCollector({
    ...(refresh !== undefined ? { refresh } : {}),
    tcaStore: {
      append: async () => {},
      read: async (symbol) => { calls.push(`tca ${symbol}`); return tcaRecords }
    },
    trades: (symbol) => { calls.push(`trades ${symbol}`); return [] },
    bars: (symbol) => { calls.push(`bars ${symbol}`); return [] },
    windowMinutes: 5,
    minSamples: 3,
    volWindowMinutes: 60,
    advWindowMinutes: 60
  })
}

t.test('the symbol\'s market state is refreshed before anything is read', async (t) => {
  const calls: string[] = []
  const collect = collectorOf(calls, [], async (symbol) => { calls.push(`refresh ${symbol}`) })
  const batch = await collect('ETHUSDT')
  t.same(calls, ['refresh ETHUSDT', 'tca ETHUSDT', 'trades ETHUSDT', 'bars ETHUSDT'])
  t.equal(batch.source, 'tape', 'too few TCA records: the tape')
})

t.test('with enough TCA records, the samples are theirs; klines and tape are read for the execution model only', async (t) => {
  const calls: string[] = []
  const collect = collectorOf(calls, [0, 1, 2, 3].map(tcaRecord), async (symbol) => { calls.push(`refresh ${symbol}`) })
  const batch = await collect('BTCUSDT')
  t.same(calls, ['refresh BTCUSDT', 'tca BTCUSDT', 'trades BTCUSDT', 'bars BTCUSDT'])
  t.same(batch.istar?.windows, [], 'no bars: no execution-model windows')
  t.equal(batch.source, 'tca')
  t.equal(batch.samples.length, 4)
})

t.test('a refresh that fails fails the collection, and nothing is read', async (t) => {
  const calls: string[] = []
  const collect = collectorOf(calls, [0, 1, 2, 3].map(tcaRecord), async () => { throw new Error('Bybit down') })
  await t.rejects(collect('BTCUSDT'), /Bybit down/)
  t.same(calls, [])
})

t.test('without a refresh, the collection reads as before', async (t) => {
  const calls: string[] = []
  const batch = await collectorOf(calls, [0, 1, 2, 3].map(tcaRecord))('BTCUSDT')
  t.same(calls, ['tca BTCUSDT', 'trades BTCUSDT', 'bars BTCUSDT'])
  t.equal(batch.source, 'tca')
})
