import t from 'tap'
import fc from 'fast-check'
import path from 'node:path'
import { readFileSync, existsSync } from 'node:fs'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { validateOrderBook, walkBook, type BookLevel, type BookWalkInput } from '../../../src/domain/impact/book-walk.js'
import { addDecimal, compareDecimal, multiplyDecimal, parseDecimal } from '../../../src/domain/impact/decimal.js'
import { resolveDataDir } from '../../../scripts/lib/data-dir.js'

function thrown (call: () => unknown): unknown {
  try { call() } catch (err) { return err }
  return undefined
}
const levels = (rows: Array<[string, string]>): BookLevel[] => rows.map(([price, size]) => ({ price, size }))
const relErr = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected)

t.test('buy walks the asks: hand-computed exact example', async (t) => {
  // 0.5 * 100.1 + 0.5 * 100.2 = 50.05 + 50.1 = 100.15; mid (100 + 100.1) / 2 = 100.05
  const result = walkBook({ side: 'buy', qtyBase: 1, bids: levels([['100', '2']]), asks: levels([['100.1', '0.5'], ['100.2', '1.5']]) })
  t.equal(result.notional, '100.15')
  t.equal(result.filledQty, '1')
  t.equal(result.remainingQty, '0')
  t.equal(result.avgPrice, '100.15')
  t.equal(result.mid, '100.05')
  t.equal(result.worstPrice, '100.2')
  t.equal(result.levelsConsumed, 2)
  t.equal(result.thin, false)
  t.equal(result.notionalQuote, 100.15)
  t.equal(result.avgPriceQuote, 100.15)
  t.equal(result.midQuote, 100.05)
  t.equal(result.worstPriceQuote, 100.2)
  t.equal(result.filledQtyBase, 1)
  t.equal(result.remainingQtyBase, 0)
  // (100.15 - 100.05) / 100.05 * 1e4 = 9.99500249875062468... (Python Decimal, 40 digits); 1e-15 relative
  t.ok(relErr(result.costVsMidBps ?? NaN, 9.995002498750624) < 1e-15, `cost ${result.costVsMidBps} bps`)
})

t.test('sell walks the bids: hand-computed exact example', async (t) => {
  // 0.4 * 100 + 0.8 * 99.9 = 40 + 79.92 = 119.92; avg 119.92 / 1.2 = 99.9333...; mid (100 + 100.2) / 2 = 100.1
  const bids = levels([['100', '0.4'], ['99.9', '1'], ['99.5', '3']])
  const result = walkBook({ side: 'sell', qtyBase: 1.2, bids, asks: levels([['100.2', '1']]) })
  t.equal(result.notional, '119.92')
  t.equal(result.filledQty, '1.2')
  t.equal(result.avgPrice, '99.9333333333', '12 significant digits')
  t.equal(result.avgPriceQuote, 99.93333333333334, 'nearest double to 299.8/3')
  t.equal(result.mid, '100.1')
  t.equal(result.levelsConsumed, 2)
  t.equal(result.worstPrice, '99.9')
  // -(99.9333... - 100.1) / 100.1 * 1e4 = 50000 / 3003 = 16.650016650016650... (Python Fraction); 1e-15 relative
  t.ok(relErr(result.costVsMidBps ?? NaN, 50000 / 3003) < 1e-15, `cost ${result.costVsMidBps} bps`)
  const fewer = walkBook({ side: 'sell', qtyBase: 2, bids, asks: levels([['100.2', '1']]) }, { avgPriceSignificantDigits: 5 })
  // 40 + 99.9 + 0.6 * 99.5 = 199.6; / 2 = 99.8
  t.equal(fewer.notional, '199.6')
  t.equal(fewer.avgPrice, '99.8')
  t.equal(fewer.levelsConsumed, 3)
})

t.test('exact where binary floating point is not', async (t) => {
  // 0.1 * 0.1 + 0.2 * 0.1 + 0.3 * 0.1 = 0.06 exactly; in doubles it is 0.060000000000000005
  t.not(0.1 * 0.1 + 0.2 * 0.1 + 0.3 * 0.1, 0.06, 'the float sum misses')
  const asks = levels([['0.1', '0.1'], ['0.2', '0.1'], ['0.3', '0.1']])
  const result = walkBook({ side: 'buy', qtyBase: 0.3, bids: levels([['0.05', '1']]), asks })
  t.equal(result.notional, '0.06')
  t.equal(result.notionalQuote, 0.06)
  t.equal(result.avgPrice, '0.2', '0.06 / 0.3 = 0.2 exactly')
  t.equal(result.filledQty, '0.3')
  t.equal(result.levelsConsumed, 3)
  // qtyBase 0.1 + 0.2 is the double 0.30000000000000004: taken at its shortest string, as typed
  const odd = walkBook({ side: 'buy', qtyBase: 0.1 + 0.2, bids: levels([['0.05', '1']]), asks })
  t.equal(odd.filledQty, '0.3')
  t.equal(odd.remainingQty, '0.00000000000000004')
  t.equal(odd.thin, true)
  // an exponent-form qty (String(1e-7) is "1e-7") is expanded exactly
  const tiny = walkBook({ side: 'buy', qtyBase: 1e-7, bids: levels([['1', '1']]), asks: levels([['2', '1']]) })
  t.equal(tiny.notional, '0.0000002')
  t.equal(tiny.avgPrice, '2')
})

t.test('average price string: 12 significant digits, ties to even', async (t) => {
  const bids = levels([['0.5', '1']])
  // 1.00000000000|050: an exact tie at the 12th digit, 0 is even: stays 1.00000000000
  t.equal(walkBook({ side: 'buy', qtyBase: 1, bids, asks: levels([['1.00000000000050', '2']]) }).avgPrice, '1')
  // 1.00000000001|500: a tie, 1 is odd: up to 1.00000000002
  t.equal(walkBook({ side: 'buy', qtyBase: 1, bids, asks: levels([['1.00000000001500', '2']]) }).avgPrice, '1.00000000002')
  // 10 + 22 = 32 over 3: 10.6666666666666... -> 10.6666666667
  // 32 / 3 = 10.666... to 3 digits: 10.7
  const three = walkBook({ side: 'buy', qtyBase: 3, bids, asks: levels([['10', '1'], ['11', '2']]) }, { avgPriceSignificantDigits: 3 })
  t.equal(three.avgPrice, '10.7')
})

t.test('thin book: fills what is visible and says so', async (t) => {
  const result = walkBook({ side: 'buy', qtyBase: 5, bids: levels([['9', '4']]), asks: levels([['10', '1'], ['11', '2']]) })
  t.equal(result.thin, true)
  t.equal(result.filledQty, '3')
  t.equal(result.remainingQty, '2')
  t.equal(result.remainingQtyBase, 2)
  t.equal(result.notional, '32', '1 * 10 + 2 * 11')
  t.equal(result.avgPrice, '10.6666666667')
  t.equal(result.levelsConsumed, 2)
  t.equal(result.worstPriceQuote, 11)
})

t.test('zero quantity fills nothing and has no average', async (t) => {
  const result = walkBook({ side: 'sell', qtyBase: 0, bids: levels([['9', '4']]), asks: levels([['10', '1']]) })
  t.same(result, {
    filledQtyBase: 0,
    filledQty: '0',
    remainingQtyBase: 0,
    remainingQty: '0',
    levelsConsumed: 0,
    notionalQuote: 0,
    notional: '0',
    midQuote: 9.5,
    mid: '9.5',
    thin: false
  })
})

t.test('buy and sell are mirror images on a symmetric book', async (t) => {
  // mid 100; level k at 100 -/+ 0.1 k with the same size on both sides
  const bids: BookLevel[] = []
  const asks: BookLevel[] = []
  for (let k = 1; k <= 20; k++) {
    const size = String(0.5 + (k % 3))
    bids.push({ price: (1000 - k).toString().replace(/(\d)$/, '.$1'), size })
    asks.push({ price: (1000 + k).toString().replace(/(\d)$/, '.$1'), size })
  }
  t.equal(bids[0].price, '99.9')
  t.equal(asks[19].price, '102.0')
  for (const qtyBase of [0.3, 1, 7.25, 19.9, 40]) {
    const buy = walkBook({ side: 'buy', qtyBase, bids, asks })
    const sell = walkBook({ side: 'sell', qtyBase, bids, asks })
    t.equal(buy.costVsMidBps, sell.costVsMidBps, `qty ${qtyBase}: same cost in bps`)
    t.equal(buy.levelsConsumed, sell.levelsConsumed)
    t.equal(buy.filledQty, sell.filledQty)
    // avg_buy - 100 = 100 - avg_sell, i.e. the notionals sum to 200 * filled (exact decimals)
    const notionals = addDecimal(parseDecimal(buy.notional, 'buy'), parseDecimal(sell.notional, 'sell'))
    t.equal(compareDecimal(notionals, multiplyDecimal(parseDecimal('200', 'two mids'), parseDecimal(buy.filledQty, 'filled'))), 0, 'notionals mirror exactly')
    t.ok((buy.costVsMidBps ?? 0) > 0, 'a market order costs versus mid')
  }
})

t.test('invalid books and inputs throw DomainRangeError naming the field', async (t) => {
  const bids = levels([['100', '1'], ['99.9', '1'], ['99.8', '1'], ['99.7', '1']])
  const asks = levels([['100.1', '1'], ['100.2', '1'], ['100.3', '1'], ['100.4', '1']])
  const cases: Array<[string, Partial<BookWalkInput>]> = [
    ['bids', { bids: [] }],
    ['asks', { asks: [] }],
    ['bids[0].price', { bids: levels([['100.1', '1']]) }], // locked
    ['bids[0].price', { bids: levels([['100.5', '1']]) }], // crossed
    ['asks[2].price', { asks: levels([['100.1', '1'], ['100.2', '1'], ['100.15', '1']]) }],
    ['asks[1].price', { asks: levels([['100.1', '1'], ['100.10', '1']]) }], // same price twice
    ['asks[1].size', { asks: levels([['100.1', '1'], ['100.2', '0']]) }],
    ['asks[1].size', { asks: levels([['100.1', '1'], ['100.2', '-1']]) }],
    ['asks[0].price', { asks: levels([['', '1']]) }],
    ['asks[1]', { asks: [{ price: '100.1', size: '1' }, null as unknown as BookLevel] }],
    ['qtyBase', { qtyBase: -1 }],
    ['qtyBase', { qtyBase: NaN }],
    ['side', { side: 'hold' as 'buy' }]
  ]
  for (const [param, override] of cases) {
    const err = thrown(() => walkBook({ side: 'buy', qtyBase: 2.5, bids, asks, ...override }))
    t.ok(err instanceof DomainRangeError, `${param}: ${(err as Error)?.message}`)
    t.equal((err as DomainRangeError).param, param)
  }
  const sellErr = thrown(() => walkBook({ side: 'sell', qtyBase: 3.5, asks, bids: levels([['100', '1'], ['99.9', '1'], ['99.8', '1'], ['1e5', '1']]) }))
  t.equal((sellErr as DomainRangeError).param, 'bids[3].price', 'an exponent is not a Bybit decimal')
  t.equal((sellErr as DomainRangeError).rule, 'decimal string')
  const unsorted = thrown(() => walkBook({ side: 'sell', qtyBase: 2, asks, bids: levels([['100', '1'], ['100.05', '1']]) }))
  t.equal((unsorted as DomainRangeError).rule, 'strictly descending')
})

t.test('validateOrderBook checks every level, the walk only what it reads', async (t) => {
  const bids = levels([['100', '1'], ['99.9', '1']])
  const asks = levels([['100.1', '1'], ['100.2', '1'], ['100.3', '1'], ['100.25', '1']])
  t.equal(walkBook({ side: 'buy', qtyBase: 1.5, bids, asks }).notional, '150.2', '100.1 + 0.5 * 100.2: levels 2 and 3 never read')
  const err = thrown(() => validateOrderBook(bids, asks))
  t.equal((err as DomainRangeError).param, 'asks[3].price')
  t.equal((err as DomainRangeError).rule, 'strictly ascending')
  t.equal((thrown(() => validateOrderBook(levels([['100', '1'], ['99', '0']]), asks)) as DomainRangeError).param, 'bids[1].size')
  t.equal(thrown(() => validateOrderBook(bids, asks.slice(0, 3))), undefined, 'a good book passes')
})

const dataDir = resolveDataDir()
const snapshotPath = path.join(dataDir, 'bybit-samples/ws-orderbook-ob500/2024-12-01_XRPUSDT_ob500.data')
t.test('500-level XRPUSDT snapshot against an independent float walk (1e-9 relative)', {
  skip: existsSync(snapshotPath) ? false : `recorded order book not found at ${snapshotPath} (set PRETRADE_DATA_DIR)`
}, async (t) => {
  const firstLine = readFileSync(snapshotPath, 'utf8').split('\n', 1)[0]
  const message = JSON.parse(firstLine) as { type: string, data: { b: Array<[string, string]>, a: Array<[string, string]> } }
  t.equal(message.type, 'snapshot')
  const bids = levels(message.data.b)
  const asks = levels(message.data.a)
  t.equal(bids.length, 500)
  t.equal(asks.length, 500)
  t.equal(validateOrderBook(bids, asks), undefined, 'the recorded snapshot is a valid book')
  const depth = (side: BookLevel[]) => side.reduce((sum, level) => sum + Number(level.size), 0)
  for (const side of ['buy', 'sell'] as const) {
    const book = side === 'buy' ? asks : bids
    for (const qtyBase of [100, 6203, 25_000, 1e6, depth(book) * 0.999, depth(book) * 2]) {
      // independent computation in doubles
      let remaining = qtyBase
      let notional = 0
      let touched = 0
      for (const level of book) {
        if (remaining <= 0) break
        const take = Math.min(Number(level.size), remaining)
        notional += take * Number(level.price)
        remaining -= take
        touched++
      }
      const filled = qtyBase - Math.max(remaining, 0)
      const result = walkBook({ side, qtyBase, bids, asks })
      t.ok(relErr(result.notionalQuote, notional) < 1e-9, `${side} ${qtyBase}: notional ${result.notionalQuote} vs ${notional}`)
      t.ok(relErr(result.avgPriceQuote ?? NaN, notional / filled) < 1e-9, `${side} ${qtyBase}: avg ${result.avgPriceQuote}`)
      t.equal(result.levelsConsumed, touched, 'levels touched')
      t.equal(result.thin, qtyBase > depth(book), 'thin only past the visible depth')
      const mid = (Number(bids[0].price) + Number(asks[0].price)) / 2
      const cost = (notional / filled - mid) / mid * 1e4 * (side === 'buy' ? 1 : -1)
      t.ok(Math.abs((result.costVsMidBps ?? NaN) - cost) < 1e-9 * Math.max(1, Math.abs(cost)), `${side} ${qtyBase}: ${result.costVsMidBps} bps`)
    }
  }
  t.equal(walkBook({ side: 'buy', qtyBase: 100, bids, asks }).midQuote, 1.95315, '(1.9531 + 1.9532) / 2')
})

/** Exact reference in integers: prices in ticks of 0.01, sizes in lots of 0.001, notional in 1e-5. */
const bookArbitrary = fc.record({
  bestBidTicks: fc.integer({ min: 1, max: 1_000_000 }),
  spreadTicks: fc.integer({ min: 1, max: 50 }),
  bidGaps: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 40 }),
  askGaps: fc.array(fc.integer({ min: 1, max: 20 }), { minLength: 1, maxLength: 40 }),
  lots: fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: 40, maxLength: 40 })
})
function buildBook (spec: { bestBidTicks: number, spreadTicks: number, bidGaps: number[], askGaps: number[], lots: number[] }) {
  const ticksToPrice = (ticks: number) => (ticks / 100).toFixed(2)
  const lotsToSize = (lots: number) => (lots / 1000).toFixed(3)
  const bids: BookLevel[] = []
  const asks: BookLevel[] = []
  let bidTicks = spec.bestBidTicks
  let askTicks = spec.bestBidTicks + spec.spreadTicks
  spec.bidGaps.forEach((gap, k) => {
    if (bidTicks > 0) bids.push({ price: ticksToPrice(bidTicks), size: lotsToSize(spec.lots[k]) })
    bidTicks -= gap
  })
  spec.askGaps.forEach((gap, k) => {
    asks.push({ price: ticksToPrice(askTicks), size: lotsToSize(spec.lots[39 - k]) })
    askTicks += gap
  })
  return { bids, asks }
}

t.test('exact notional against an integer reference; avg cost and levels grow with qty (fast-check, seed 4103)', async (t) => {
  fc.assert(fc.property(bookArbitrary, fc.integer({ min: 0, max: 250_000 }), fc.integer({ min: 0, max: 250_000 }), fc.constantFrom('buy', 'sell'), (spec, lotsA, lotsB, side) => {
    const { bids, asks } = buildBook(spec)
    const [small, large] = lotsA <= lotsB ? [lotsA, lotsB] : [lotsB, lotsA]
    const a = walkBook({ side, qtyBase: small / 1000, bids, asks })
    const b = walkBook({ side, qtyBase: large / 1000, bids, asks })
    // reference: integer ticks * lots, notional in units of 1e-5
    let remaining = BigInt(large)
    let notionalUnits = 0n
    for (const level of side === 'buy' ? asks : bids) {
      if (remaining === 0n) break
      const lots = BigInt(Math.round(Number(level.size) * 1000))
      const take = lots < remaining ? lots : remaining
      notionalUnits += take * BigInt(Math.round(Number(level.price) * 100))
      remaining -= take
    }
    const expectedNotional = Number(notionalUnits) / 1e5
    if (Number(b.notional) !== expectedNotional) return false
    if (Math.round(Number(b.remainingQty) * 1000) !== Number(remaining)) return false
    if (a.levelsConsumed > b.levelsConsumed) return false
    if (a.costVsMidBps !== undefined && b.costVsMidBps !== undefined && a.costVsMidBps > b.costVsMidBps) return false
    if (a.avgPriceQuote !== undefined && b.avgPriceQuote !== undefined && (side === 'buy' ? a.avgPriceQuote > b.avgPriceQuote : a.avgPriceQuote < b.avgPriceQuote)) return false
    return true
  }), { seed: 4103, numRuns: 400 })
  t.pass('400 random books and quantity pairs')
})
