import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../deps.js'
import { runFrontier, runSchedule } from '../services/scheduler.js'
import { withErrors } from '../schemas/common.js'
import { FrontierRequest, FrontierResponse, ScheduleRequest, ScheduleResponse } from '../schemas/schedule.js'

const PARAMETER_RULE = 'Parameters left out are derived from the symbol\'s market state by the Almgren-Chriss (2000) rules of thumb: ' +
  'volQuote = volDaily * price; halfSpreadQuote = spread / 2; permanentImpact = spread / (0.1 * ADV); temporaryImpact = spread / (0.01 * ADV) (spread in quote, ADV in base per day).'

const scheduleRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.post('/v1/schedule', {
    schema: {
      tags: ['schedule'],
      summary: 'Almgren-Chriss (2000) optimal execution trajectory, discrete time',
      description: `Minimises E + lambda * V. ${PARAMETER_RULE} etaTilde = temporaryImpact - permanentImpact * tauDays / 2 must be > 0 (else 422).`,
      body: ScheduleRequest,
      response: withErrors(ScheduleResponse)
    }
  }, async (request) => runSchedule(request.body, deps.market))

  app.post('/v1/schedule/frontier', {
    schema: {
      tags: ['schedule'],
      summary: 'Efficient frontier (E, V) of optimal strategies over a grid of risk aversions',
      description: `Either riskAversions (explicit grid) or count log-spaced values between minRiskAversion and maxRiskAversion (default: kappaTilde * T from 0.01 to 100). ${PARAMETER_RULE}`,
      body: FrontierRequest,
      response: withErrors(FrontierResponse)
    }
  }, async (request) => runFrontier(request.body, deps.market))
}

export default scheduleRoutes
