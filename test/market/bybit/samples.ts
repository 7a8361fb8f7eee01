/** Reads the recorded Bybit payloads under ../shared/data (PRETRADE_DATA_DIR overrides) at test time. */
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { resolveDataDir } from '../../../scripts/lib/data-dir.js'

export const DATA_DIR = resolveDataDir()

/** JSON of a file under the data directory, e.g. `bybit-samples/docs-examples/kline.json`. */
export function readSample (relativePath: string): any {
  return JSON.parse(readFileSync(path.join(DATA_DIR, relativePath), 'utf8'))
}

/** A deep copy, for breaking one field of a recorded payload. */
export function clone<T> (value: T): T {
  return structuredClone(value)
}
