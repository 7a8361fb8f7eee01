import t from 'tap'
import { readFileSync } from 'node:fs'
import { parseEmbeddedMarketState } from '../../src/market/market-state.js'

// the shipped file, parsed fresh for each case so a case can break one field of it
const shipped = (): any => JSON.parse(readFileSync(new URL('../../embedded/market-state.json', import.meta.url), 'utf8'))

t.test('the shipped file: every symbol and fee rate, config overrides the fees', async (t) => {
  const json = shipped()
  const market = parseEmbeddedMarketState(json)
  t.same(market.symbols(), Object.keys(json.symbols).sort())
  const btc = market.get('BTCUSDT')
  t.equal(btc?.priceQuote, json.symbols.BTCUSDT.priceQuote.value)
  t.equal(btc?.asOfMs, json.symbols.BTCUSDT.asOfMs.value)
  t.equal(btc?.source, 'embedded')
  t.equal(market.fees('spot').takerFeeRate, json.fees.spot.takerFeeRate.value)
  t.equal(parseEmbeddedMarketState(json, { TAKER_FEE_RATE_LINEAR: 0.0004 }).fees('linear').takerFeeRate, 0.0004)
  t.equal(market.get('NOPE'), undefined)
})

t.test('a bad file is refused, naming the JSON path and the rule', async (t) => {
  const cases: Array<[string, (json: any) => void, ErrorConstructor, string]> = [
    ['not an object', (j) => { j.fees = [] }, TypeError, 'market.fees must be an object'],
    ['a category missing', (j) => { delete j.fees.spot }, TypeError, 'market.fees.spot must be an object'],
    ['a fee rate above 1%', (j) => { j.fees.linear.makerFeeRate.value = 0.02 }, RangeError, 'market.fees.linear.makerFeeRate.value must be >= 0 and <= 0.01 (got 0.02)'],
    ['a blank origin', (j) => { j.symbols.BTCUSDT.priceQuote.origin = ' ' }, TypeError, 'market.symbols.BTCUSDT.priceQuote.origin must be a non-empty string'],
    ['an unknown category', (j) => { j.symbols.BTCUSDT.category = 'option' }, TypeError, 'market.symbols.BTCUSDT.category must be linear, inverse or spot'],
    ['a volatility of 1000% a day', (j) => { j.symbols.BTCUSDT.volDaily.value = 10 }, RangeError, 'market.symbols.BTCUSDT.volDaily.value must be > 0 and < 10 (got 10)'],
    ['a non-finite ADV', (j) => { j.symbols.BTCUSDT.advBase.value = null }, TypeError, 'market.symbols.BTCUSDT.advBase.value must be a finite number (got null)'],
    ['a zero timestamp', (j) => { j.symbols.BTCUSDT.asOfMs.value = 0 }, RangeError, 'market.symbols.BTCUSDT.asOfMs.value must be > 0 (got 0)']
  ]
  for (const [what, breakIt, ErrorType, message] of cases) {
    const json = shipped()
    breakIt(json)
    t.throws(() => parseEmbeddedMarketState(json), { name: ErrorType.name, message }, what)
  }
})

t.test('the volume profile: read with its source, frozen; a file without one still loads', async (t) => {
  const json = shipped()
  const market = parseEmbeddedMarketState(json)
  const profile = market.get('BTCUSDT')?.volumeProfile
  t.ok(profile, 'the shipped file has a BTCUSDT profile')
  t.same(profile?.hourlyShares, json.symbols.BTCUSDT.volumeProfile.hourlyShares.value, 'the shares as stored (not renormalised)')
  t.equal(profile?.source, `embedded: ${json.symbols.BTCUSDT.volumeProfile.source as string}`)
  t.equal(profile?.days, json.symbols.BTCUSDT.volumeProfile.days.value)
  t.ok(Object.isFrozen(profile) && Object.isFrozen(profile?.hourlyShares), 'frozen like the rest of the state')

  delete json.symbols.ETHUSDT.volumeProfile
  const old = parseEmbeddedMarketState(json)
  t.equal(old.get('ETHUSDT')?.volumeProfile, undefined, 'no profile: consumers fall back to flat')
  t.notOk('volumeProfile' in (old.get('ETHUSDT') ?? {}), 'the key is absent, not undefined')
})

t.test('a bad volume profile is refused, naming the JSON path and the rule', async (t) => {
  const at = 'market.symbols.BTCUSDT.volumeProfile'
  const cases: Array<[string, (profile: any) => void, ErrorConstructor, string | RegExp]> = [
    ['23 hours', (p) => { p.hourlyShares.value.pop() }, RangeError, `${at}.hourlyShares.value must have length 24 (got 23)`],
    ['a negative share', (p) => { p.hourlyShares.value[5] = -0.01 }, RangeError, `${at}.hourlyShares.value[5] must be >= 0 and <= 1 (got -0.01)`],
    ['a share that is not a number', (p) => { p.hourlyShares.value[5] = '0.04' }, TypeError, `${at}.hourlyShares.value[5] must be a finite number (got 0.04)`],
    // shares that pass the schema but do not sum to 1 (1.0001 here): validateHourlyShares, in the reader's style
    ['shares summing to 1.0001', (p) => { p.hourlyShares.value[0] += 0.0001 }, RangeError, new RegExp(`^${at.replace(/\./g, '\\.')}\\.hourlyShares\\.value must be summing to 1 \\(within 1e-9\\) \\(got 1\\.0001`)],
    ['no origin', (p) => { delete p.hourlyShares.origin }, TypeError, `${at}.hourlyShares.origin must be a non-empty string`],
    ['zero days', (p) => { p.days.value = 0 }, RangeError, `${at}.days.value must be > 0 (got 0)`],
    ['a blank source', (p) => { p.source = '' }, TypeError, `${at}.source must be a non-empty string`]
  ]
  for (const [what, breakIt, ErrorType, message] of cases) {
    const json = shipped()
    breakIt(json.symbols.BTCUSDT.volumeProfile)
    t.throws(() => parseEmbeddedMarketState(json), { name: ErrorType.name, message }, what)
  }
})
