import t from 'tap'
import fc from 'fast-check'
import { build, post, numbersIn, hasNoNull } from '../helper.js'

// Hostile and random bodies: only 2xx/4xx, every number in a response finite, no null for a number.
const hostileNumber = fc.oneof(
  fc.double(), fc.integer(), fc.constantFrom(0, -0, 1e308, -1e308, 5e-324, 1e-300, Number.MAX_SAFE_INTEGER),
  fc.string(), fc.constant(null), fc.boolean(), fc.array(fc.double(), { maxLength: 3 })
)
const symbol = fc.oneof(fc.constantFrom('BTCUSDT', 'ETHUSDT', 'NOPEUSDT', 'btcusdt', '', 'ÆØÅ', 'BTC/USDT'), fc.string({ maxLength: 40 }))
const side = fc.oneof(fc.constantFrom('buy', 'sell'), fc.string({ maxLength: 5 }))
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined })

const order = fc.record({
  symbol, side, qtyBase: hostileNumber,
  priceQuote: maybe(hostileNumber), volDaily: maybe(hostileNumber), advBase: maybe(hostileNumber), spreadBps: maybe(hostileNumber),
  model: maybe(fc.constantFrom('sqrt', 'linear', 'mlp', 'x')),
  extra: maybe(fc.anything({ maxDepth: 3 }))
}, { requiredKeys: [] })

const schedule = fc.record({
  symbol: maybe(symbol), side, qtyBase: hostileNumber, horizonDays: hostileNumber, periods: fc.oneof(fc.integer({ min: -5, max: 20_000 }), hostileNumber),
  riskAversion: hostileNumber, volQuote: maybe(hostileNumber), permanentImpact: maybe(hostileNumber), temporaryImpact: maybe(hostileNumber),
  halfSpreadQuote: maybe(hostileNumber), strategy: maybe(fc.constantFrom('optimal', 'twap', 'vwap'))
}, { requiredKeys: [] })

const validSchedule = fc.record({
  side: fc.constantFrom('buy', 'sell'),
  qtyBase: fc.double({ min: 1e-6, max: 1e12, noNaN: true }),
  horizonDays: fc.double({ min: 1e-4, max: 3650, noNaN: true }),
  periods: fc.integer({ min: 1, max: 300 }),
  riskAversion: fc.double({ min: 0, max: 1e6, noNaN: true }),
  volQuote: fc.double({ min: 0, max: 1e9, noNaN: true }),
  permanentImpact: fc.double({ min: 0, max: 1e-3, noNaN: true }),
  temporaryImpact: fc.double({ min: 1e-3, max: 1e6, noNaN: true }),
  halfSpreadQuote: fc.double({ min: 0, max: 1e9, noNaN: true })
})

const tcaTrade = fc.record({
  symbol, side, qtyBase: hostileNumber, execPriceQuote: hostileNumber, arrivalPriceQuote: hostileNumber,
  vwapQuote: maybe(hostileNumber), spreadQuote: maybe(hostileNumber), bidQuote: maybe(hostileNumber), askQuote: maybe(hostileNumber),
  advBase: maybe(hostileNumber), volDaily: maybe(hostileNumber), feeQuote: maybe(hostileNumber)
}, { requiredKeys: [] })

const bodies: Array<[string, fc.Arbitrary<unknown>]> = [
  ['/v1/estimate', fc.oneof(order, fc.anything({ maxDepth: 4 }))],
  ['/v1/estimate/batch', fc.oneof(fc.record({ orders: fc.array(order, { maxLength: 5 }) }), fc.anything({ maxDepth: 4 }))],
  ['/v1/schedule', fc.oneof(schedule, validSchedule, fc.anything({ maxDepth: 4 }))],
  ['/v1/schedule/frontier', fc.oneof(schedule, validSchedule.map(({ riskAversion: _, ...s }) => ({ ...s, count: 5 })), fc.anything({ maxDepth: 4 }))],
  ['/v1/tca', fc.oneof(fc.record({ trades: fc.array(tcaTrade, { maxLength: 5 }) }), fc.anything({ maxDepth: 4 }))],
  ['/v1/pretrade/check', fc.oneof(fc.record({ order, limits: fc.record({ maxCostBps: maybe(hostileNumber), maxParticipation: maybe(hostileNumber) }, { requiredKeys: [] }) }), fc.anything({ maxDepth: 4 }))]
]

for (const [url, arb] of bodies) {
  t.test(`${url}: random and hostile bodies get only 2xx/4xx with finite numbers`, async (t) => {
    const app = await build(t)
    await fc.assert(fc.asyncProperty(arb, async (body) => {
      const res = await post(app, url, JSON.stringify(body) ?? 'null')
      if (res.statusCode >= 500) throw new Error(`${res.statusCode} for ${JSON.stringify(body)}: ${res.body}`)
      if (res.statusCode >= 400) {
        const err = res.json()
        if (typeof err.code !== 'string' || typeof err.message !== 'string') throw new Error(`error without code/message: ${res.body}`)
        return
      }
      if (!numbersIn(res.json()).every(Number.isFinite) || !hasNoNull(res.body)) throw new Error(`non-finite in ${res.body.slice(0, 500)}`)
    }), { seed: 20261122, numRuns: 150 })
    t.pass('no 5xx, no non-finite numbers')
    t.equal((await app.inject('/health')).statusCode, 200, 'healthy afterwards')
  })
}
