/**
 * The page's wire types (src/ui/api-types.ts, compiled for the browser on their own) must accept every
 * response the API's schemas allow: each check below fails `npm run typecheck` when a schema changes a
 * field the page reads (renamed, retyped, made optional) without the page's types following.
 * GET /v1/models is not checked: its schema types `marketData` as an open record.
 */
import type { Static, TSchema } from '@sinclair/typebox'
import type * as Ui from '../../src/ui/api-types.js'
import type { CalibrationResponse, VersionsResponse } from '../../src/schemas/calibration.js'
import type { EstimateBatchResponse, EstimateResponse } from '../../src/schemas/estimate.js'
import type { FrontierResponse, ScheduleResponse } from '../../src/schemas/schedule.js'

/** `true` when every value of the schema's type is a value of the page's type, else a compile error at the use. */
type Accepts<Page, Schema extends TSchema> = Static<Schema> extends Page ? true : never

export const uiAcceptsApi: [
  Accepts<Ui.EstimateResponse, typeof EstimateResponse>,
  Accepts<Ui.EstimateBatchResponse, typeof EstimateBatchResponse>,
  Accepts<Ui.ScheduleResponse, typeof ScheduleResponse>,
  Accepts<Ui.FrontierResponse, typeof FrontierResponse>,
  Accepts<Ui.CalibrationResponse, typeof CalibrationResponse>,
  Accepts<Ui.VersionsResponse, typeof VersionsResponse>
] = [true, true, true, true, true, true]
