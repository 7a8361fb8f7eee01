import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'
import type { FastifyInstance } from 'fastify'

export const API_VERSION = '1.0.0'

/** OpenAPI 3 document generated from the route schemas, served at /docs/json; Swagger UI at /docs. */
export async function registerSwagger (app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'pretrade',
        version: API_VERSION,
        description: 'Pre-trade cost estimates (price impact, spread, fees), Almgren-Chriss optimal execution schedules and post-trade TCA. ' +
          'Units are in field names: *Base = base asset units, *Quote = quote currency, *Bps = basis points of notional, volDaily = daily volatility as a fraction, *Days = days. Positive costs are costs.'
      },
      tags: [
        { name: 'estimate', description: 'pre-trade cost estimates' },
        { name: 'schedule', description: 'Almgren-Chriss optimal execution' },
        { name: 'tca', description: 'post-trade transaction cost analysis' },
        { name: 'pretrade', description: 'pre-trade limit checks' },
        { name: 'models', description: 'active impact models' },
        { name: 'ops', description: 'health and readiness' },
        { name: 'admin', description: 'operator actions; need the x-api-key header (ADMIN_API_KEY)' }
      ],
      components: { securitySchemes: { apiKey: { type: 'apiKey', name: 'x-api-key', in: 'header' } } }
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: true } })
}
