// The live market state's hour-of-day volume profile, against the fake Bybit (test/fake-bybit).
import t, { type Test } from 'tap'
import path from 'node:path'
import { startFakeBybit, type FakeBybit } from '../fake-bybit/server.js'
import { resolveDataDir } from '../../scripts/lib/data-dir.js'
import { readBybitInverseKlines } from '../../scripts/lib/readers.js'
import { BybitClient } from '../../src/market/bybit/client.js'
import { LiveMarketState, PROFILE_REFRESH_MS, PROFILE_RETRY_MS, type ProfileEvent } from '../../src/market/live-market-state.js'
import { loadEmbeddedMarketState } from '../../src/market/market-state.js'

const HOUR_MS = 3_600_000

async function liveOn (t: Test, fake: FakeBybit, clock: { ms: number }) {
  const events: ProfileEvent[] = []
  const client = new BybitClient({ restUrl: fake.restUrl, maxRetries: 0, timeoutMs: 2000 })
  const market = new LiveMarketState({
    client,
    category: 'linear',
    symbols: ['BTCUSDT'],
    fallback: loadEmbeddedMarketState('embedded/market-state.json'),
    volWindowMinutes: 1440,
    advWindowMinutes: 1440,
    nowMs: () => clock.ms,
    onProfileEvent: (event) => { events.push(event) }
  })
  return { market, events }
}

async function startFake (t: Test): Promise<FakeBybit> {
  const fake = await startFakeBybit()
  t.teardown(() => fake.close())
  return fake
}

const hourlyRequests = (fake: FakeBybit) => fake.requests.filter((r) => r.path === '/v5/market/kline' && r.query.interval === '60')

/**
 * Expected shares, computed here from the recorded CSV the fake serves (klines_1m.csv, BTC volume
 * = its turnover column): the 1-minute bars summed per UTC clock hour, the hour still open at the
 * fake's clock (06:00, nowMs 06:53) left out as Bybit leaves the open candle out; then the mean per
 * hourly bar of each hour of the day, normalised.
 */
async function expectedShares (nowMs: number): Promise<{ shares: number[], hourlyBars: number }> {
  const bars = await readBybitInverseKlines(path.join(resolveDataDir(), 'bybit-btcusd-inverse-1m-klines/klines_1m.csv'))
  const openHourMs = Math.floor(nowMs / HOUR_MS) * HOUR_MS
  const byBucket = new Map<number, number>()
  for (const b of bars) {
    const bucket = Math.floor(b.openTimeMs / HOUR_MS) * HOUR_MS
    if (bucket < openHourMs) byBucket.set(bucket, (byBucket.get(bucket) ?? 0) + b.volumeBase)
  }
  const sums = new Array<number>(24).fill(0)
  const counts = new Array<number>(24).fill(0)
  for (const [bucket, volume] of byBucket) {
    const hour = new Date(bucket).getUTCHours()
    sums[hour] += volume
    counts[hour]++
  }
  const means = sums.map((s, h) => s / counts[h])
  const total = means.reduce((a, b) => a + b, 0)
  return { shares: means.map((m) => m / total), hourlyBars: byBucket.size }
}

t.test('a refresh gives the state a volume profile from one request of 720 hourly klines', async (t) => {
  const fake = await startFake(t)
  const clock = { ms: fake.nowMs() }
  const { market, events } = await liveOn(t, fake, clock)
  await market.refresh()
  const state = market.get('BTCUSDT')
  t.equal(state?.source, 'bybit')
  const profile = state?.volumeProfile
  t.ok(profile, 'the live state has a profile')
  t.strictSame(hourlyRequests(fake).map((r) => r.query), [{ category: 'linear', symbol: 'BTCUSDT', interval: '60', limit: '720' }])

  const expected = await expectedShares(fake.nowMs())
  t.equal(expected.hourlyBars, 33, '2025-03-19 21:00 (from 21:21) .. 2025-03-21 05:00: 33 closed hours')
  t.equal(profile?.days, 33 / 24)
  t.equal(profile?.source, 'bybit: 33 closed 60-minute klines (1.38 days) to 2025-03-21T06:00:00.000Z')
  // the fake writes volumes with 8 decimals: shares agree to far better than 1e-9
  profile?.hourlyShares.forEach((s, h) => t.ok(Math.abs(s - expected.shares[h]) < 1e-9, `hour ${h}: ${s} vs ${expected.shares[h]}`))
  t.ok(Object.isFrozen(state) && Object.isFrozen(profile) && Object.isFrozen(profile?.hourlyShares), 'frozen')
  t.same(market.status().BTCUSDT.volumeProfile, { hourlyShares: profile?.hourlyShares, source: profile?.source, days: 33 / 24, lastSuccessMs: clock.ms, lastAttemptMs: clock.ms }, 'status (GET /v1/models) shows it')
  t.same(events, [], 'nothing to report')

  // not refetched before PROFILE_REFRESH_MS; the kept profile stays on the refreshed state
  clock.ms += PROFILE_REFRESH_MS - 1
  await market.refresh()
  t.equal(hourlyRequests(fake).length, 1, 'one hourly request per 6 hours')
  t.equal(market.get('BTCUSDT')?.volumeProfile, profile, 'the same profile on the new state')
  clock.ms += 1
  await market.refresh()
  t.equal(hourlyRequests(fake).length, 2, 'refetched after 6 hours')
})

t.test('a failing hourly request: the refresh still succeeds, without a profile, logged once; then it recovers', async (t) => {
  const fake = await startFake(t)
  const clock = { ms: fake.nowMs() }
  const { market, events } = await liveOn(t, fake, clock)
  fake.addFault({ path: '/v5/market/kline', query: { interval: '60' }, fault: { kind: 'http-status', status: 502 } })
  for (let i = 0; i < 3; i++) {
    await market.refresh()
    clock.ms += PROFILE_RETRY_MS
  }
  t.equal(hourlyRequests(fake).length, 3, 'retried every PROFILE_RETRY_MS')
  const state = market.get('BTCUSDT')
  t.equal(state?.source, 'bybit', 'the market state itself is live')
  t.notOk('volumeProfile' in (state ?? {}), 'no profile: consumers assume a flat one')
  t.equal(market.status().BTCUSDT.lastError, undefined, 'the market refresh did not fail')
  t.match(market.status().BTCUSDT.volumeProfile, { lastError: /502/ })
  t.equal(events.length, 1, 'one event for the run of three failures')
  t.match(events[0], { type: 'failed', symbol: 'BTCUSDT', error: /502/ })

  fake.clearFaults()
  await market.refresh()
  t.ok(market.get('BTCUSDT')?.volumeProfile, 'the profile arrives once the request succeeds')
  t.same(events.map((e) => e.type), ['failed', 'recovered'])
})

t.test('a failing hourly request after a success keeps the previous profile', async (t) => {
  const fake = await startFake(t)
  const clock = { ms: fake.nowMs() }
  const { market, events } = await liveOn(t, fake, clock)
  await market.refresh()
  const before = market.get('BTCUSDT')?.volumeProfile
  t.ok(before)
  fake.addFault({ path: '/v5/market/kline', query: { interval: '60' }, fault: { kind: 'malformed-json' } })
  clock.ms += PROFILE_REFRESH_MS
  await market.refresh()
  t.equal(hourlyRequests(fake).length, 2)
  t.equal(market.get('BTCUSDT')?.volumeProfile, before, 'the previous profile is kept')
  t.same(events.map((e) => e.type), ['failed'])
  // too few hours (a gap of 30 hourly bars leaves hours uncovered) is a failure too, not a crash
  fake.clearFaults()
  fake.addFault({ path: '/v5/market/kline', query: { interval: '60' }, fault: { kind: 'kline-gap', missingBars: 30 } })
  clock.ms += PROFILE_RETRY_MS
  await market.refresh()
  t.equal(market.get('BTCUSDT')?.volumeProfile, before, 'still the previous profile')
  t.match(market.status().BTCUSDT.volumeProfile, { lastError: /every UTC hour/ })
})
