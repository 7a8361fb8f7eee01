import t from 'tap'
import { configuredSymbols, loadConfig } from '../src/config.js'

t.test('defaults', async (t) => {
  const c = loadConfig({})
  t.equal(c.PORT, 3000)
  t.equal(c.HOST, '0.0.0.0')
  t.equal(c.LOG_LEVEL, 'info')
  t.equal(c.MARKET_STATE_PATH, 'embedded/market-state.json')
  t.equal(c.MODELS_PATH, 'embedded/models.json')
  t.ok(Object.isFrozen(c))
})

t.test('a bad value stops start-up with a message naming the variable', async (t) => {
  t.throws(() => loadConfig({ PORT: 'eighty' }), /PORT/)
  t.throws(() => loadConfig({ PORT: '70000' }), /PORT/)
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), /LOG_LEVEL/)
  t.throws(() => loadConfig({ TAKER_FEE_RATE_LINEAR: '0.5' }), /TAKER_FEE_RATE_LINEAR/)
  t.throws(() => loadConfig({ RECALIBRATE_CRON: '61 * * * * * *' }), /RECALIBRATE_CRON/)
  t.throws(() => loadConfig({ MARKET_DATA_SOURCE: 'binance' }), /MARKET_DATA_SOURCE/)
  t.throws(() => loadConfig({ SYMBOLS: 'BTCUSDT;ETH' }), /SYMBOLS/)
  t.throws(() => loadConfig({ ADMIN_API_KEY: 'short' }), /ADMIN_API_KEY/)
})

// issue 14 item 6: docker-compose.yml passes `${ADMIN_API_KEY:-}`, so an operator who set no key
// gave the replicas an empty one, which failed the 16-character rule: every replica crash-looped.
t.test('an empty ADMIN_API_KEY (compose without a key) means admin disabled, as an absent one does', async (t) => {
  const config = loadConfig({ ADMIN_API_KEY: '' })
  t.equal(config.ADMIN_API_KEY, undefined)
  t.notOk('ADMIN_API_KEY' in config, 'no empty key left in the frozen config')
})

t.test('a short ADMIN_API_KEY is still refused, naming the variable and the 16-character rule', async (t) => {
  t.throws(() => loadConfig({ ADMIN_API_KEY: 'abcde' }), /ADMIN_API_KEY must NOT have fewer than 16 characters/)
  t.throws(() => loadConfig({ ADMIN_API_KEY: ' ' }), /ADMIN_API_KEY must NOT have fewer than 16 characters/, 'only the empty string means unset')
  t.equal(loadConfig({ ADMIN_API_KEY: '0123456789abcdef' }).ADMIN_API_KEY, '0123456789abcdef', '16 characters are enough')
})

t.test('issue 14: a value outside a fixed set lists the allowed values, once', async (t) => {
  t.throws(() => loadConfig({ LOG_LEVEL: 'loud' }), { message: 'invalid configuration: env/LOG_LEVEL must be one of: fatal, error, warn, info, debug, trace, silent' })
  t.throws(() => loadConfig({ MARKET_DATA_SOURCE: 'binance' }), { message: 'invalid configuration: env/MARKET_DATA_SOURCE must be one of: embedded, bybit' })
  t.throws(() => loadConfig({ BYBIT_CATEGORY: 'option' }), { message: 'invalid configuration: env/BYBIT_CATEGORY must be one of: linear, inverse, spot' })
})

t.test('fee overrides are numbers', async (t) => {
  t.equal(loadConfig({ TAKER_FEE_RATE_LINEAR: '0.0004' }).TAKER_FEE_RATE_LINEAR, 0.0004)
})

t.test('SYMBOLS is a de-duplicated list', async (t) => {
  t.same(configuredSymbols(loadConfig({ SYMBOLS: 'BTCUSDT,ETHUSDT,BTCUSDT' })), ['BTCUSDT', 'ETHUSDT'])
  t.same(configuredSymbols(loadConfig({})), ['BTCUSDT', 'ETHUSDT'])
})
