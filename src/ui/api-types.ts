/**
 * The parts of the API's responses the page reads (src/schemas/*.ts are the full contract). The API
 * never sends null: a field it cannot give is absent (optional here), and the page draws what is
 * there and does without the rest.
 */

export interface Warning { code: string, message: string }

/** p05..p99 of the cost distribution, bps (cost taken as normal: expectedCostBps + z_p costStdBps). */
export interface CostQuantilesBps { p05: number, p50: number, p90: number, p95: number, p99: number }

/**
 * The cost distribution of schedule responses and frontier points: present when the execution model
 * priced them (absent under the linear rules of thumb); modelRiskBps absent when the model carries
 * no parameter covariance.
 */
export interface CostUncertainty {
  expectedCostBps?: number
  modelRiskBps?: number
  costStdBps?: number
  costQuantilesBps?: CostQuantilesBps
}

/** Estimates always carry the cost distribution; modelRiskBps is absent when unknown (models without a covariance). */
export interface EstimateResponse extends CostUncertainty {
  expectedCostBps: number
  costStdBps: number
  costQuantilesBps: CostQuantilesBps
  symbol: string
  side: 'buy' | 'sell'
  qtyBase: number
  priceQuote: number
  participation: number
  advBase: number
  volDaily: number
  impactBps: number
  spreadCostBps: number
  feeBps: number
  totalCostBps: number
  totalCostQuote: number
  timingRiskBps: number
  execution: { strategy: string, horizonDays: number, periods: number, averageParticipation: number, startMs?: number }
  model: { name: string, version: string, source: string }
  marketState?: { source: string, asOfMs: number, ageMs: number }
  warnings: Warning[]
}

export interface EstimateBatchResponse { count: number, results: EstimateResponse[] }

export interface ExecutionModelInfo { name: string, version: string, source: string, params: { a1: number, a2: number, a4: number, b1: number } }

export interface ScheduleResponse extends CostUncertainty {
  side: string
  qtyBase: number
  strategy: string
  riskAversion?: number
  tauDays: number
  timesDays: number[]
  holdings: number[]
  trades: number[]
  startMs?: number
  expectedCostQuote: number
  stdCostQuote: number
  timingRiskBps?: number
  maxParticipation?: number
  cappedPeriods?: number
  executionModel?: ExecutionModelInfo
  warnings?: Warning[]
}

export interface FrontierPoint extends CostUncertainty {
  riskAversion: number
  expectedCostQuote: number
  stdCostQuote: number
  timingRiskBps?: number
}

export interface FrontierResponse {
  side: string
  qtyBase: number
  executionModel?: ExecutionModelInfo
  points: FrontierPoint[]
}

export interface ModelInfo {
  name: string
  version: string
  source: string
  validity: { participation: { min: number, max: number }, volDaily: { min: number, max: number } }
}

export interface ModelsResponse {
  defaultModel: string
  marketData: { source?: string }
  symbols: Array<{ symbol: string, models: ModelInfo[] }>
}

/**
 * One cell of GET /v1/models/:symbol/calibration. The API never sends null: a number it cannot give
 * (too few fills) is absent.
 */
export interface CalibrationCell {
  n: number
  /** absent for n = 0 */
  meanZ?: number
  /** absent for n < 2 */
  meanZStdErr?: number
  /** absent for n < 2 */
  stdZ?: number
  /** fraction of fills inside the predicted p05-p95 band (nominal thresholds.nominalCoverage); absent for n = 0 */
  bandCoverage?: number
  /** absent for n = 0 */
  biasBps?: number
  verdict: 'calibrated' | 'biased' | 'overconfident' | 'underconfident' | 'insufficient-data'
  /** the limits the verdict applied to this cell; absent below 2 fills */
  limits?: { meanZAbsMax: number, stdZLow: number, stdZHigh: number, coverageLow: number, coverageHigh: number }
}

export interface CalibrationDecile extends CalibrationCell {
  decile: number
  /** absent when the decile is empty */
  participationMin?: number
  participationMax?: number
}

export interface CalibrationThresholds {
  minFills: number
  bandZ: number
  nominalCoverage: number
  samplingSigmas: number
  biasMinMeanZ: number
  stdZHigh: number
  stdZLow: number
  coverageLow: number
  coverageHigh: number
}

export interface CalibrationResponse {
  symbol: string
  sinceMs: number
  untilMs: number
  /** stored TCA records of the symbol executed in [sinceMs, untilMs] */
  records: number
  /** of those, scored against a prediction and inside the participation filter */
  scored: number
  /** the model versions that made the scored predictions */
  models: Array<{ name: string, version: string, n: number }>
  thresholds: CalibrationThresholds
  overall: CalibrationCell
  byParticipationDecile: CalibrationDecile[]
  /** k + 1 edges, k counts; the first and last bins are open-ended (beyondEdges: how many fell past the outer edges) */
  zHistogram: {
    binEdges: number[]
    counts: number[]
    normalCounts: number[]
    beyondEdges: { below: number, above: number, normalBelow: number, normalAbove: number }
  }
}

export interface ModelVersion {
  version: string
  /** absent for the embedded defaults */
  createdAtMs?: number
  active: boolean
  source: string
  /** absent when not known */
  validation?: Record<string, unknown>
}

/** One activation: `version` active from `fromMs` (absent: since the start) until the next. */
export interface Activation { version: string, fromMs?: number }

export interface VersionsResponse {
  symbol: string
  models: Array<{ name: string, activeVersion: string, versions: ModelVersion[], history: Activation[] }>
}
