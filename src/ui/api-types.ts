/**
 * The parts of the API's responses the page reads (src/schemas/*.ts are the full contract). Fields
 * marked "when present" come with later work (issue 16's contracts): the page draws them when the
 * API sends them and does without them otherwise.
 */

export interface Warning { code: string, message: string }

/** p05..p99 of the cost distribution, bps (when present). */
export interface CostQuantilesBps { p05: number, p50: number, p90: number, p95: number, p99: number }

/** Fields of the uncertainty contract shared by estimates and schedule/frontier points (when present). */
export interface CostUncertainty {
  expectedCostBps?: number
  modelRiskBps?: number
  costStdBps?: number
  costQuantilesBps?: CostQuantilesBps
}

export interface EstimateResponse extends CostUncertainty {
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

/** One cell of GET /v1/models/:symbol/calibration (numbers are null when n is too small). */
export interface CalibrationCell {
  n: number
  meanZ: number | null
  meanZStdErr: number | null
  stdZ: number | null
  /** fraction of fills inside the predicted p05-p95 band (nominal 0.90) */
  bandCoverage: number | null
  biasBps: number | null
  verdict: 'calibrated' | 'biased' | 'overconfident' | 'underconfident' | 'insufficient-data'
}

export interface CalibrationDecile extends CalibrationCell {
  decile: number
  participationMin: number | null
  participationMax: number | null
}

export interface CalibrationResponse {
  symbol: string
  model: string
  sinceMs: number
  untilMs: number
  thresholds: Record<string, unknown>
  overall: CalibrationCell
  byParticipationDecile: CalibrationDecile[]
  zHistogram: { binEdges: number[], counts: number[], normalCounts: number[] }
}

export interface ModelVersion { version: string, createdAtMs: number, active: boolean, source: string, validation: Record<string, unknown> | null }

export interface VersionsResponse {
  symbol: string
  models: Array<{ name: string, activeVersion: string, versions: ModelVersion[] }>
}
