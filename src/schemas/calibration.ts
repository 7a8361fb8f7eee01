import { Type } from '@sinclair/typebox'
import { StringEnum, SymbolField } from './common.js'

const N = (description: string) => Type.Optional(Type.Number({ description: `${description}; absent when undefined for too few fills (the API never sends null)` }))

// a union of literals, not StringEnum: the UI tests check their fixtures with Value.Check, which knows no Unsafe kind
const Verdict = Type.Union((['calibrated', 'biased', 'overconfident', 'underconfident', 'insufficient-data'] as const).map((v) => Type.Literal(v)), {
  description: 'insufficient-data (n < thresholds.minFills), biased (|meanZ| > max(3 meanZStdErr, 0.1)), overconfident (stdZ or coverage beyond the high/low limits: realised costs spread wider than predicted), underconfident (the band is too wide), else calibrated; README "Calibration report"'
})

const cellFields = {
  n: Type.Integer({ description: 'scored fills' }),
  meanZ: N('mean z-score (0 when calibrated)'),
  meanZStdErr: N('stdZ / sqrt(n)'),
  stdZ: N('sample standard deviation of z (1 when calibrated)'),
  bandCoverage: N('share of fills inside their predicted p05-p95 band, |z| <= 1.645 (nominal 0.90)'),
  biasBps: N('notional-weighted mean of realised minus predicted cost, bps (positive: cost more than predicted)'),
  verdict: Verdict,
  limits: Type.Optional(Type.Object({
    meanZAbsMax: Type.Number(), stdZLow: Type.Number(), stdZHigh: Type.Number(), coverageLow: Type.Number(), coverageHigh: Type.Number()
  }, { description: 'the limits the verdict applied to this cell (wider for few fills); absent below 2 fills' }))
}

// query strings arrive as text and the app's validator does not coerce types (bodies stay strict),
// so the numbers are matched as decimal text here and parsed by the route
const MS_TEXT = Type.String({ pattern: '^[0-9]{1,14}$', description: 'ms since epoch, an integer' })
const FRACTION_TEXT = Type.String({ pattern: '^[0-9]{1,7}(\\.[0-9]{1,20})?([eE]-?[0-9]{1,3})?$', description: 'a number >= 0, e.g. 0.001 or 1e-3' })

export const CalibrationQuerystring = Type.Object({
  since: Type.Optional(Type.Unsafe<string>({ ...MS_TEXT, description: 'executions at or after, ms since epoch (default: every stored record)' })),
  until: Type.Optional(Type.Unsafe<string>({ ...MS_TEXT, description: 'executions at or before, ms since epoch (default: now)' })),
  minParticipation: Type.Optional(Type.Unsafe<string>({ ...FRACTION_TEXT, description: 'only fills with |Q|/ADV at least this (a number >= 0)' })),
  maxParticipation: Type.Optional(Type.Unsafe<string>({ ...FRACTION_TEXT, description: 'only fills with |Q|/ADV at most this (a number >= 0)' })),
  execution: Type.Optional(StringEnum(['worked', 'immediate'], 'only fills worked over a window (POST /v1/tca trades with startMs and endMs), or only immediate ones (default: both). An immediate fill\'s prediction has no timing risk, only model risk, so its band is a fraction of a bps wide: report the two kinds apart'))
}, { additionalProperties: false })

export const CalibrationResponse = Type.Object({
  symbol: Type.String(),
  sinceMs: Type.Number(),
  untilMs: Type.Number(),
  records: Type.Integer({ description: 'stored TCA records of the symbol executed in [sinceMs, untilMs]' }),
  scored: Type.Integer({ description: 'of those, scored against a prediction (POST /v1/tca gave them a zScore) and inside the participation filter' }),
  models: Type.Array(Type.Object({ name: Type.String(), version: Type.String(), n: Type.Integer() }), { description: 'the model versions that made the scored predictions' }),
  thresholds: Type.Object({
    minFills: Type.Integer(),
    bandZ: Type.Number(),
    nominalCoverage: Type.Number(),
    samplingSigmas: Type.Number(),
    biasMinMeanZ: Type.Number(),
    stdZHigh: Type.Number(),
    stdZLow: Type.Number(),
    coverageLow: Type.Number(),
    coverageHigh: Type.Number()
  }, { description: 'the verdict rules\' constants' }),
  overall: Type.Object(cellFields),
  byParticipationDecile: Type.Array(Type.Object({
    decile: Type.Integer({ minimum: 1, maximum: 10 }),
    participationMin: N('smallest |Q|/ADV in the decile'),
    participationMax: N('largest |Q|/ADV in the decile'),
    ...cellFields
  }), { description: 'equal-count deciles of the scored fills by |Q|/ADV' }),
  zHistogram: Type.Object({
    binEdges: Type.Array(Type.Number(), { description: 'k + 1 edges; the first and last bins are open-ended' }),
    counts: Type.Array(Type.Integer(), { description: 'fills per bin' }),
    normalCounts: Type.Array(Type.Number(), { description: 'what n standard-normal z would give per bin' }),
    beyondEdges: Type.Object({ below: Type.Integer(), above: Type.Integer(), normalBelow: Type.Number(), normalAbove: Type.Number() })
  })
}, { $id: 'CalibrationResponse', title: 'CalibrationResponse' })

export const CalibrationParams = Type.Object({ symbol: SymbolField })

export const VersionsResponse = Type.Object({
  symbol: Type.String(),
  models: Type.Array(Type.Object({
    name: Type.String(),
    activeVersion: Type.String(),
    versions: Type.Array(Type.Object({
      version: Type.String(),
      createdAtMs: Type.Optional(Type.Number({ description: 'publish time, ms since epoch; absent for the embedded defaults' })),
      active: Type.Boolean(),
      source: Type.String({ description: '"embedded", "registry", or "job" for a version this replica published' }),
      validation: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'the record\'s validation metrics (calibration.validation, else calibration.metrics); absent when not known here' }))
    }), { description: 'newest first' }),
    history: Type.Array(Type.Object({
      version: Type.String(),
      fromMs: Type.Optional(Type.Number({ description: 'when it became active, ms since epoch; absent: since the start (the embedded default, or the oldest kept version when older activations were trimmed)' }))
    }), { description: 'oldest first: which version was active when, as the TCA prices past trades (POST /v1/tca: the version active at startMs, else executedAtMs). With a Redis registry it is the registry\'s activation log (every publish and rollback, on Redis\'s clock), the same on every replica; without one, the versions this replica served since it started' })
  }))
}, { $id: 'VersionsResponse', title: 'VersionsResponse' })
