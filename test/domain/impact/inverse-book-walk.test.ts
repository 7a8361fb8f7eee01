import t from 'tap'
import fc from 'fast-check'
import { DomainRangeError } from '../../../src/domain/errors.js'
import { walkBook, type BookLevel } from '../../../src/domain/impact/book-walk.js'
import { walkInverseBook } from '../../../src/domain/impact/inverse-book-walk.js'

const levels = (rows: Array<[string, string]>): BookLevel[] => rows.map(([price, size]) => ({ price, size }))
const relErr = (actual: number, expected: number): number => Math.abs(actual - expected) / Math.abs(expected)

// one inverse book (sizes in USD contracts of 1 USD face); every expected value below is computed by hand
// and checked with Python's fractions.Fraction (printed with decimal.Decimal at 40 digits)
const bids = levels([['49990', '30000'], ['49980', '49980']])
const asks = levels([['50000', '10000'], ['50010', '20000']])

t.test('buy walks the asks in base units: hand-computed exact example', async (t) => {
  // 10000 contracts at 50000 hold 0.2 BTC; the other 0.3 BTC take 0.3 * 50010 = 15003 contracts at 50010.
  // avg = 25003 / (10000/50000 + 15003/50010) = 25003 / 0.5 = 50006 (the contract-weighted harmonic mean)
  const r = walkInverseBook({ side: 'buy', qtyBase: 0.5, bids, asks })
  t.equal(r.filledQty, '0.5')
  t.equal(r.remainingQty, '0')
  t.equal(r.notional, '25003', 'quote notional = contracts (1 USD face)')
  t.equal(r.filledContracts, '25003')
  t.equal(r.avgPrice, '50006')
  t.equal(r.avgPriceQuote, 50006)
  t.equal(r.mid, '49995')
  t.equal(r.worstPrice, '50010')
  t.equal(r.levelsConsumed, 2)
  t.equal(r.thin, false)
  // (50006 - 49995) / 49995 * 1e4 = Number('2.20022002200220022')00... (Fraction); 1e-15 relative
  t.ok(relErr(r.costVsMidBps ?? NaN, Number('2.20022002200220022')) < 1e-15, `cost ${r.costVsMidBps} bps`)
})

t.test('sell walks the bids in base units: hand-computed exact example', async (t) => {
  // 30000 contracts at 49990 hold 30000/49990 BTC; the rest, 1 - 30000/49990 = 1999/4999 BTC, takes
  // 1999/4999 * 49980 = 99910020/4999 contracts at 49980. avg = (30000 + 99910020/4999) / 1 = 249880020/4999
  // = 49986.001200240048009601920384076815363... (Fraction)
  const r = walkInverseBook({ side: 'sell', qtyBase: 1, bids, asks })
  t.equal(r.filledQty, '1')
  t.equal(r.avgPrice, '49986.0012002', '12 significant digits, half-even')
  t.equal(r.avgPriceQuote, 49986.00120024005, 'nearest double to 249880020/4999')
  t.equal(r.notional, '49986.00120024004801', '20 significant digits (the 20th rounded up, its trailing zero dropped): the contracts taken are not a finite decimal')
  t.equal(r.levelsConsumed, 2)
  // -(avg - 49995) / 49995 * 1e4 = 1.7999399459849965792738... (Fraction); 1e-15 relative
  t.ok(relErr(r.costVsMidBps ?? NaN, Number('1.7999399459849965793')) < 1e-15, `cost ${r.costVsMidBps} bps`)
})

t.test('thin inverse book: fills what is visible, in base units, and says so', async (t) => {
  // visible asks hold 10000/50000 + 20000/50010 = 0.59992001599680063987... BTC; avg = 30000 / that
  // = 50006.666222251849876674888... (Fraction)
  const r = walkInverseBook({ side: 'buy', qtyBase: 1, bids, asks })
  t.equal(r.thin, true)
  t.equal(r.levelsConsumed, 2)
  t.equal(r.filledQty, '0.59992001599680063987')
  t.equal(r.remainingQty, '0.40007998400319936013')
  t.equal(r.notional, '30000', 'every contract of both levels')
  t.equal(r.avgPrice, '50006.6662223')
  t.ok(relErr(r.avgPriceQuote ?? NaN, Number('50006.666222251849877')) < 1e-15)
  t.ok(relErr(r.costVsMidBps ?? NaN, Number('2.3334777981497903140')) < 1e-15, `cost ${r.costVsMidBps} bps`)
  t.equal(r.filledQtyBase + r.remainingQtyBase, 1)
})

t.test('zero quantity fills nothing; bad input names the field', async (t) => {
  const none = walkInverseBook({ side: 'buy', qtyBase: 0, bids, asks })
  t.equal(none.levelsConsumed, 0)
  t.equal(none.avgPrice, undefined)
  t.equal(none.thin, false)
  for (const [input, param] of [
    [{ side: 'buy', qtyBase: -1, bids, asks }, 'qtyBase'],
    [{ side: 'buy', qtyBase: 1, bids: [], asks }, 'bids'],
    [{ side: 'buy', qtyBase: 1, bids, asks: levels([['50000', '0'], ['50010', '1']]) }, 'asks[0].size'],
    [{ side: 'buy', qtyBase: 1, bids, asks: levels([['50000', '1'], ['49999', '1']]) }, 'asks[1].price'],
    [{ side: 'buy', qtyBase: 1, bids: levels([['50000', '1']]), asks }, 'bids[0].price']
  ] as const) {
    try {
      walkInverseBook(input as never)
      t.fail(`${param}: should throw`)
    } catch (err) {
      t.ok(err instanceof DomainRangeError && err.param === param, `${param}: ${(err as Error).message}`)
    }
  }
})

t.test('the same base liquidity priced as a linear and as an inverse book agrees (fast-check, seed 1414)', async (t) => {
  // a linear level of q base at p is an inverse level of q * p contracts at p: the walks must agree to 1e-12
  const level = fc.tuple(fc.integer({ min: 1, max: 500 }), fc.integer({ min: 1, max: 10_000 }))
  fc.assert(fc.property(fc.array(level, { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 50_000 }), fc.constantFrom('buy' as const, 'sell' as const), (rows, qtyMilli, side) => {
    let price = 50_000
    const linear: BookLevel[] = []
    const inverse: BookLevel[] = []
    for (const [step, sizeMilli] of rows) {
      price += side === 'buy' ? step / 10 : -step / 10
      const p = price.toFixed(1)
      const q = (sizeMilli / 1000).toFixed(3)
      linear.push({ price: p, size: q })
      inverse.push({ price: p, size: (Number(p) * Number(q)).toFixed(4) })
    }
    const other = side === 'buy' ? [{ price: '49999.9', size: '1' }] : [{ price: '50000.1', size: '1' }]
    const book = side === 'buy' ? { bids: other, asks: linear } : { bids: linear, asks: other }
    const inverseBook = side === 'buy' ? { bids: other.map((l) => ({ ...l, size: '49999.9' })), asks: inverse } : { bids: inverse, asks: other.map((l) => ({ ...l, size: '50000.1' })) }
    const qtyBase = qtyMilli / 1000
    const a = walkBook({ side, qtyBase, ...book })
    const b = walkInverseBook({ side, qtyBase, ...inverseBook })
    return a.levelsConsumed === b.levelsConsumed && a.thin === b.thin && relErr(b.filledQtyBase, a.filledQtyBase) < 1e-12 &&
      relErr(b.notionalQuote, a.notionalQuote) < 1e-12 && (a.avgPriceQuote === undefined || relErr(b.avgPriceQuote ?? NaN, a.avgPriceQuote) < 1e-12)
  }), { seed: 1414, numRuns: 300 })
  t.pass('300 random books')
})
