import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../deps.js'
import { storeUnavailable } from '../errors.js'
import { DEFAULT_MODEL_NAME } from '../models/impact-model.js'
import { runTca } from '../services/tca.js'
import { unavailableRef, withErrors, withExamples } from '../schemas/common.js'
import { TCA_EXAMPLES, TcaRequest, TcaResponse } from '../schemas/tca.js'

const tcaRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.post('/v1/tca', {
    bodyLimit: deps.config.BODY_LIMIT_BYTES,
    schema: {
      tags: ['tca'],
      summary: 'Post-trade transaction cost analysis of up to 10,000 executions',
      description: 'Implementation shortfall vs arrival, VWAP slippage vs market VWAP, spread cost spread/(2 mid), fees, and the model\'s estimated impact for the same order ' +
        'using the trade\'s own advBase and volDaily (the symbol\'s market state only where the trade leaves them out). Positive = cost; buys and sells symmetric. Summary bps are notional-weighted. ' +
        'Every accepted trade is stored before the response (the recalibration job uses them as impact samples); if storing fails the request gets a 503 and nothing is accepted.',
      body: withExamples(TcaRequest, TCA_EXAMPLES),
      response: withErrors(TcaResponse, 'the analysis of each trade and the notional-weighted summary; every trade was stored', { 503: unavailableRef('PRETRADE_ERR_STORE_UNAVAILABLE: the records could not be stored, nothing was accepted; retry') })
    }
  }, async (request) => {
    const { response, records } = runTca(request.body.trades, request.body.model ?? DEFAULT_MODEL_NAME, request.body.model !== undefined, deps, Date.now())
    // persisted before the reply: a record the client saw accepted is never lost
    try {
      await deps.tcaStore.append(records)
    } catch (err) {
      request.log.error({ err }, 'cannot persist TCA records')
      throw storeUnavailable('the TCA records could not be stored; nothing was accepted, retry the request')
    }
    return response
  })
}

export default tcaRoutes
