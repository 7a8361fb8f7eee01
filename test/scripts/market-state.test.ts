// Re-runs the market-state computation on ../shared/data (or $PRETRADE_DATA_DIR) and checks it
// reproduces the committed embedded/market-state.json. Skipped, with the reason, without the data.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { resolveDataDir, dataDirExists } from '../../scripts/lib/data-dir.js'
import { computeMarketState } from '../../scripts/lib/market-state.js'

const REL_TOL = 1e-9
const dataDir = resolveDataDir()
const committed = JSON.parse(readFileSync(new URL('../../embedded/market-state.json', import.meta.url), 'utf8'))

type Asserts = Pick<typeof t, 'ok' | 'same' | 'equal'>
type Node = null | boolean | number | string | Node[] | { [key: string]: Node }

/** Compares two JSON trees: numbers to REL_TOL relative, everything else exactly. */
function compareTrees (t: Asserts, actual: Node, expected: Node, path: string): void {
  if (typeof expected === 'number') {
    const ok = typeof actual === 'number' && Math.abs(actual - expected) <= REL_TOL * Math.abs(expected)
    t.ok(ok, `${path}: recomputed ${String(actual)} vs committed ${expected} (rel ${REL_TOL})`)
  } else if (expected !== null && typeof expected === 'object') {
    t.same(Object.keys(actual as object).sort(), Object.keys(expected).sort(), `${path}: same keys`)
    for (const [k, v] of Object.entries(expected)) compareTrees(t, (actual as Record<string, Node>)[k], v, `${path}.${k}`)
  } else {
    t.equal(actual, expected, `${path} equal`)
  }
}

t.test('recomputed market state reproduces embedded/market-state.json', {
  skip: dataDirExists(dataDir) ? false : `recorded data not found at ${dataDir} (set PRETRADE_DATA_DIR); nothing to recompute`
}, async (t) => {
  const recomputed = JSON.parse(JSON.stringify(await computeMarketState(dataDir)))
  compareTrees(t, recomputed, committed, '$')
})
