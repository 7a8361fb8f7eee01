import t from 'tap'
import { loadConfig } from '../src/config.js'

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
})

t.test('fee overrides are numbers', async (t) => {
  t.equal(loadConfig({ TAKER_FEE_RATE_LINEAR: '0.0004' }).TAKER_FEE_RATE_LINEAR, 0.0004)
})
