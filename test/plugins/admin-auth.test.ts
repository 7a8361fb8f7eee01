import t from 'tap'
import { build } from '../helper.js'

// issue 14 item 6: compose gives every replica ADMIN_API_KEY="" when the operator set none.
t.test('an empty ADMIN_API_KEY disables the admin routes: 403 PRETRADE_ERR_ADMIN_DISABLED, an empty x-api-key included', async (t) => {
  const app = await build(t, { ADMIN_API_KEY: '' })
  for (const headers of [{}, { 'x-api-key': '' }]) {
    const res = await app.inject({ method: 'POST', url: '/v1/admin/recalibrate', headers })
    t.equal(res.statusCode, 403, JSON.stringify(headers))
    t.equal(res.json().code, 'PRETRADE_ERR_ADMIN_DISABLED')
  }
  const rollback = await app.inject({ method: 'POST', url: '/v1/models/BTCUSDT/rollback', headers: { 'x-api-key': '', 'content-type': 'application/json' }, payload: { name: 'sqrt', version: 'v1' } })
  t.equal(rollback.json().code, 'PRETRADE_ERR_ADMIN_DISABLED', 'on every admin route')
})
