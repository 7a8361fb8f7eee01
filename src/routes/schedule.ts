import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import type { AppDeps } from '../deps.js'
import { runFrontier, runSchedule } from '../services/scheduler.js'
import { withErrors, withExamples } from '../schemas/common.js'
import { FRONTIER_EXAMPLES, FrontierRequest, FrontierResponse, SCHEDULE_EXAMPLES, ScheduleRequest, ScheduleResponse } from '../schemas/schedule.js'

const PARAMETER_RULE = 'Without permanentImpact and temporaryImpact the symbol\'s calibrated execution model (I-Star, issue 13) prices the trajectory exactly as POST /v1/estimate prices the same execution: ' +
  'expected cost = impact + half spread + fee, V = sigma^2 * tau * sum x_j^2, optimal minimises E + lambda * V under a participation cap (Almgren 2003). ' +
  'With temporaryImpact (and optionally permanentImpact, default 0) the linear Almgren-Chriss (2000) closed form is used; volQuote and halfSpreadQuote left out come from the market state (volDaily * price, spread / 2). ' +
  'parameters "rules-of-thumb" derives the linear impacts from the quoted spread by the paper\'s equity conventions: permanentImpact = spread / (0.1 * ADV), temporaryImpact = spread / (0.01 * ADV).'

const scheduleRoutes: FastifyPluginAsyncTypebox<AppDeps> = async (app, deps) => {
  app.post('/v1/schedule', {
    schema: {
      tags: ['schedule'],
      summary: 'Optimal (or TWAP, VWAP) execution trajectory with its expected cost and timing risk',
      description: `Minimises E + lambda * V. ${PARAMETER_RULE} Linear model: etaTilde = temporaryImpact - permanentImpact * tauDays / 2 must be > 0 (else 422).`,
      body: withExamples(ScheduleRequest, SCHEDULE_EXAMPLES),
      response: withErrors(ScheduleResponse, 'the trajectory, its expected cost and its timing risk')
    }
  }, async (request) => runSchedule(request.body, deps))

  app.post('/v1/schedule/frontier', {
    schema: {
      tags: ['schedule'],
      summary: 'Efficient frontier (E, V) of optimal strategies over a grid of risk aversions',
      description: `Either riskAversions (explicit grid) or count log-spaced values between minRiskAversion and maxRiskAversion (default, linear model: kappaTilde * T from 0.01 to 100; execution model: lambda0 / 1000 to 1000 * lambda0, lambda0 = TWAP's E / V). ${PARAMETER_RULE}`,
      body: withExamples(FrontierRequest, FRONTIER_EXAMPLES),
      response: withErrors(FrontierResponse, 'expected cost and variance of the optimal schedule at each risk aversion')
    }
  }, async (request) => runFrontier(request.body, deps))
}

export default scheduleRoutes
