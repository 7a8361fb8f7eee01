import t from 'tap'
import fc from 'fast-check'
import { TradeBuffer } from '../../../src/market/bybit/trade-buffer.js'
import type { Trade } from '../../../src/market/market-data.js'

const trade = (id: string, tsMs: number): Trade => ({ tsMs, symbol: 'BTCUSDT', side: 'buy', sizeBase: 1, priceQuote: 100, id })

t.test('appends, merges late trades in time order, ignores duplicates by id', async (t) => {
  const buffer = new TradeBuffer(10)
  t.equal(buffer.insert([trade('a', 1), trade('b', 3), trade('c', 5)]), 3)
  t.equal(buffer.insert([trade('d', 2), trade('b', 3), trade('e', 3), trade('a', 1)]), 2, 'b and a already held')
  t.strictSame(buffer.range().map((x) => x.id), ['a', 'd', 'b', 'e', 'c'], 'ascending; e after b at the same ms (arrival order)')
  t.strictSame(buffer.range(2, 5).map((x) => x.id), ['d', 'b', 'e'], 'since inclusive, until exclusive')
  t.strictSame(buffer.range(6), [])
  t.equal(buffer.last()?.id, 'c')
})

t.test('bounded: keeps the newest `capacity` trades', async (t) => {
  const buffer = new TradeBuffer(3)
  for (let i = 0; i < 20; i++) buffer.insert([trade(`t${i}`, i)])
  t.equal(buffer.size, 3)
  t.strictSame(buffer.range().map((x) => x.id), ['t17', 't18', 't19'])
  buffer.insert([trade('old', 0)])
  t.strictSame(buffer.range().map((x) => x.id), ['t17', 't18', 't19'], 'a trade older than all held is dropped at once when full')
  t.throws(() => new TradeBuffer(0), RangeError)
})

t.test('property: equals the sorted, de-duplicated, newest-capacity reference (seeded)', async (t) => {
  const arbTrade = fc.record({ id: fc.integer({ min: 0, max: 60 }), tsMs: fc.integer({ min: 0, max: 40 }) })
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 25 }),
    fc.array(fc.array(arbTrade, { maxLength: 15 }), { maxLength: 12 }),
    (capacity, batches) => {
      // one id always carries one time (as on a venue): time of an id = first time it appears
      const timeOf = new Map<number, number>()
      const buffer = new TradeBuffer(capacity)
      const seen: Array<{ id: number, tsMs: number, order: number }> = []
      let order = 0
      let evictedAny = false
      for (const batch of batches) {
        const trades = batch.map(({ id, tsMs }) => {
          if (!timeOf.has(id)) timeOf.set(id, tsMs)
          return trade(String(id), timeOf.get(id) as number)
        })
        buffer.insert(trades)
        for (const x of trades) {
          if (!seen.some((s) => String(s.id) === x.id)) seen.push({ id: Number(x.id), tsMs: x.tsMs, order: order++ })
        }
        if (seen.length > capacity) evictedAny = true
      }
      const held = buffer.range()
      const ascending = held.every((x, i) => i === 0 || x.tsMs >= held[i - 1].tsMs)
      const unique = new Set(held.map((x) => x.id)).size === held.length
      if (!ascending || !unique || held.length > capacity) return false
      // without eviction the buffer holds exactly every distinct id, sorted by (time, first arrival)
      if (evictedAny) return held.length === Math.min(capacity, seen.length)
      const expected = [...seen].sort((x, y) => x.tsMs - y.tsMs || x.order - y.order).map((s) => String(s.id))
      return JSON.stringify(held.map((x) => x.id)) === JSON.stringify(expected)
    }
  ), { seed: 424242, numRuns: 400 })
  t.pass('400 seeded cases')
})
