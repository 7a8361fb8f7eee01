import t from 'tap'
import { isSymbol, SYMBOL_PATTERN } from '../../src/domain/symbol.js'

t.test('isSymbol takes 2 to 30 upper-case letters and digits', async (t) => {
  for (const ok of ['BTCUSDT', '1000PEPEUSDT', 'AB', 'A'.repeat(30)]) t.ok(isSymbol(ok), ok)
  for (const bad of ['btcusdt', 'BTC-USDT', 'BTC_USDT', 'BTC:USDT', 'A', 'A'.repeat(31), '', 'BTCUSDT\n', 42, undefined]) {
    t.notOk(isSymbol(bad), JSON.stringify(bad))
  }
})

t.test('SYMBOL_PATTERN is the JSON Schema form of the same rule', async (t) => {
  t.equal(SYMBOL_PATTERN, '^[A-Z0-9]{2,30}$', 'the API schemas and openapi/openapi.json use this exact pattern')
})
