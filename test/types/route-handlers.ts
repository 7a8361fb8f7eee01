/**
 * Type-level fixture, never run: `npm run typecheck` compiles it. Each `@ts-expect-error` marks a
 * handler that must not compile; if route typing regressed (a body or reply typed `unknown` or
 * `any`), tsc would report the directive as unused. The lines without a directive must compile,
 * which they do only while request.body is typed. route-handlers.test.ts compiles a copy without
 * the directives and checks the errors are the expected ones.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { ModelName } from '../../src/models/impact-model.js'
import { errorRef, typedRef, withErrors } from '../../src/schemas/common.js'
import { EstimateRequest, EstimateResponse } from '../../src/schemas/estimate.js'
import { TcaRequest, TcaResponse } from '../../src/schemas/tca.js'

export const typedRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/wrong-reply', {
    schema: { body: typedRef(EstimateRequest), response: withErrors(typedRef(EstimateResponse), 'the estimate', { 503: errorRef(503) }) }
  },
  // @ts-expect-error TS2322: the reply is neither an EstimateResponse nor an ErrorResponse
  async () => ({ totally: 'wrong' }))

  app.post('/wrong-body', { schema: { body: TcaRequest, response: withErrors(TcaResponse, 'the analysis') } }, async (request, reply) => {
    const qtyBase: number = request.body.trades[0].qtyBase
    const model: ModelName | undefined = request.body.model
    // @ts-expect-error TS2322: a trade's symbol is a string, not a number
    const symbol: number = request.body.trades[0].symbol
    // @ts-expect-error TS2339: a TCA request has no qtyBase (it is per trade)
    const missing = request.body.qtyBase
    void [qtyBase, model, symbol, missing]
    // @ts-expect-error TS2345: a 422 body is an ErrorResponse
    return reply.code(422).send({ statusCode: 422 })
  })
}
