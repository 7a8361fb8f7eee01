/**
 * The request bodies of the HTTP scenarios. Every body is valid (a 200 is expected) and the
 * same body is sent to our server and to the baseline. `key` is what the baseline's route
 * reads from the parsed body to pick its constant reply (see baseline-server.ts).
 */
export interface Scenario {
  name: string
  path: string
  body: string
  /** the baseline picks its reply by this value of the body */
  key: string
  /** orders or trades per request (1 for a single estimate): throughput is reported per item */
  items: number
  /** what `items` counts in the report */
  unit: 'req' | 'orders'
}

const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const

/** n orders cycling symbols, sides and sizes (0.5 to 25 BTC, 5 to 250 ETH). */
function orders (n: number): Array<{ symbol: string, side: 'buy' | 'sell', qtyBase: number }> {
  return Array.from({ length: n }, (_, i) => ({
    symbol: SYMBOLS[i % 2],
    side: i % 3 === 0 ? 'sell' : 'buy',
    qtyBase: (0.5 + (i % 50) / 2) * (i % 2 === 0 ? 1 : 10)
  }))
}

function estimate (model: 'sqrt' | 'mlp'): Scenario {
  return { name: `estimate ${model}`, path: '/v1/estimate', body: JSON.stringify({ symbol: 'BTCUSDT', side: 'buy', qtyBase: 25, model }), key: model, items: 1, unit: 'req' }
}

function batch (n: number): Scenario {
  return { name: `batch ${n}`, path: '/v1/estimate/batch', body: JSON.stringify({ orders: orders(n) }), key: String(n), items: n, unit: 'orders' }
}

function schedule (periods: number): Scenario {
  const body = { symbol: 'BTCUSDT', side: 'sell', qtyBase: 200, horizonDays: 0.25, periods, riskAversion: 1e-5 }
  return { name: `schedule N=${periods}`, path: '/v1/schedule', body: JSON.stringify(body), key: String(periods), items: 1, unit: 'req' }
}

/** n executions around a BTCUSDT arrival of 84,000 and an ETHUSDT arrival of 2,685, with VWAP, quotes and fees. */
function tca (n: number): Scenario {
  const trades = orders(n).map((o, i) => {
    const arrival = o.symbol === 'BTCUSDT' ? 84_000 : 2685
    const sign = o.side === 'buy' ? 1 : -1
    const exec = arrival * (1 + sign * (1 + (i % 7)) * 1e-4)
    return {
      ...o,
      execPriceQuote: exec,
      arrivalPriceQuote: arrival,
      vwapQuote: arrival * (1 + sign * 5e-5),
      bidQuote: arrival * (1 - 5e-6),
      askQuote: arrival * (1 + 5e-6),
      feeQuote: o.qtyBase * exec * 5.5e-4
    }
  })
  return { name: `tca ${n}`, path: '/v1/tca', body: JSON.stringify({ trades }), key: String(n), items: n, unit: 'req' }
}

export const ESTIMATE_SQRT = estimate('sqrt')

/** Every scenario compared with the baseline, the single sqrt estimate first. */
export const SCENARIOS: readonly Scenario[] = [
  ESTIMATE_SQRT, estimate('mlp'), batch(100), batch(1000), schedule(100), schedule(1000), tca(100)
]
