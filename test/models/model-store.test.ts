import t from 'tap'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import type { ImpactModel, ModelSet } from '../../src/models/impact-model.js'
import { ModelStore } from '../../src/models/model-store.js'

const embedded = loadEmbeddedModels('embedded/models.json')

function versioned (model: ImpactModel, version: string): ImpactModel {
  return { ...model, version }
}

t.test('swapSymbols replaces the given slots of a symbol that had no set of its own, over the default set', async (t) => {
  const store = new ModelStore({ defaultSet: embedded, bySymbol: new Map() })
  const before = store.catalog()
  store.swapSymbols([['BTCUSDT', { sqrt: versioned(embedded.sqrt, 's2') }]])
  const btc = store.modelsFor('BTCUSDT')
  t.equal(btc.sqrt.version, 's2', 'the given slot')
  t.equal(btc.linear, embedded.linear, 'other slots from the default set')
  t.equal(btc.mlp, embedded.mlp)
  t.ok(Object.isFrozen(btc), 'the new set is frozen')
  t.equal(store.modelsFor('ETHUSDT'), embedded, 'other symbols keep the default set')
  t.equal(store.catalog().defaultSet, embedded, 'the default set is kept')
  t.not(store.catalog(), before, 'a new catalog')
  t.equal(before.bySymbol.size, 0, 'the catalog read before the swap is unchanged')
})

t.test('swapSymbols merges into a symbol\'s own set and swaps several symbols in one catalog change', async (t) => {
  const own: ModelSet = Object.freeze({ ...embedded, linear: versioned(embedded.linear, 'l1') })
  const store = new ModelStore({ defaultSet: embedded, bySymbol: new Map([['BTCUSDT', own], ['SOLUSDT', own]]) })
  const read = store.catalog()
  store.swapSymbols([
    ['BTCUSDT', { mlp: versioned(embedded.mlp, 'm2') }],
    ['ETHUSDT', { sqrt: versioned(embedded.sqrt, 's3'), linear: versioned(embedded.linear, 'l3') }]
  ])
  const versions = (set: ModelSet): string[] => [set.sqrt.version, set.linear.version, set.mlp.version]
  t.same(versions(store.modelsFor('BTCUSDT')), [embedded.sqrt.version, 'l1', 'm2'], 'BTCUSDT: its own linear kept, mlp swapped')
  t.same(versions(store.modelsFor('ETHUSDT')), ['s3', 'l3', embedded.mlp.version], 'ETHUSDT: over the default set')
  t.equal(store.modelsFor('SOLUSDT'), own, 'a symbol not named keeps its set')
  t.equal(read.bySymbol.get('BTCUSDT'), own, 'a request holding the old catalog still sees the old versions')
  t.notOk(read.bySymbol.has('ETHUSDT'))
})

t.test('swapSymbols with nothing to swap keeps every set; before any models it throws like catalog()', async (t) => {
  const store = new ModelStore({ defaultSet: embedded, bySymbol: new Map() })
  store.swapSymbols([])
  t.equal(store.modelsFor('BTCUSDT'), embedded)
  const empty = new ModelStore()
  t.throws(() => empty.swapSymbols([['BTCUSDT', { sqrt: embedded.sqrt }]]), /no models loaded/)
})

/** `model` as the registry would serve it: its own version, published at createdAtMs. */
function published (model: ImpactModel, version: string, createdAtMs: number): ImpactModel {
  return { ...model, version, source: 'registry', record: { ...model.record, version, createdAtMs } }
}

t.test('modelAt without a registry: each version from its publish time, the embedded one before all, a rollback from the swap', async (t) => {
  const store = new ModelStore({ defaultSet: embedded, bySymbol: new Map() })
  const v1 = published(embedded.sqrt, 'v1', 1000)
  const v2 = published(embedded.sqrt, 'v2', 2000)
  store.swapSymbols([['BTCUSDT', { sqrt: v1 }]])
  store.swapSymbols([['BTCUSDT', { sqrt: v2 }]])
  t.equal(store.modelAt('BTCUSDT', 'sqrt', 999), embedded.sqrt, 'before the first publish: the embedded model')
  t.equal(store.modelAt('BTCUSDT', 'sqrt', 1000), v1, 'at its publish time')
  t.equal(store.modelAt('BTCUSDT', 'sqrt', 1999), v1)
  t.equal(store.modelAt('BTCUSDT', 'sqrt', 2000), v2)
  t.equal(store.modelAt('ETHUSDT', 'sqrt', 1500), embedded.sqrt, 'a symbol on the default set')
  t.equal(store.modelAt('BTCUSDT', 'linear', 1500), embedded.linear, 'a slot never swapped')
  const beforeRollback = Date.now()
  store.swapSymbols([['BTCUSDT', { sqrt: v1 }]])
  t.equal(store.modelAt('BTCUSDT', 'sqrt', 2500), v2, 'v2 served until the rollback')
  t.equal(store.modelAt('BTCUSDT', 'sqrt', beforeRollback + 60_000), v1, 'the rolled-back-to version serves from the rollback, not from its publish time')
})

t.test('adoptActivations: the registry\'s log becomes the history; a log missing its start serves its first version from the start', async (t) => {
  const store = new ModelStore({ defaultSet: embedded, bySymbol: new Map() })
  const v1 = published(embedded.mlp, 'v1', 10)
  const v2 = published(embedded.mlp, 'v2', 20)
  store.adoptActivations('BTCUSDT', 'mlp', [], true)
  t.equal(store.modelAt('BTCUSDT', 'mlp', 5000), embedded.mlp, 'an empty log changes nothing')
  // published at 10 and 20, activated at 1000 and 2000, rolled back to v1 at 3000
  store.adoptActivations('BTCUSDT', 'mlp', [{ fromMs: 1000, model: v1 }, { fromMs: 2000, model: v2 }, { fromMs: 3000, model: v1 }], true)
  t.same([500, 1000, 1999, 2000, 2999, 3000, 9e12].map((ms) => store.modelAt('BTCUSDT', 'mlp', ms).version),
    [embedded.mlp.version, 'v1', 'v1', 'v2', 'v2', 'v1', 'v1'], 'by activation time (the registry\'s clock), not by createdAtMs; before the log, what served before it')
  t.same(store.servedVersions('BTCUSDT', 'mlp').map((s) => [s.model.version, s.fromMs]), [[embedded.mlp.version, -Infinity], ['v1', 1000], ['v2', 2000], ['v1', 3000]])
  t.equal(store.modelAt('ETHUSDT', 'mlp', 2500), embedded.mlp, 'other symbols are untouched')

  // the first activations' records were trimmed: the oldest kept version serves from the start
  store.adoptActivations('BTCUSDT', 'mlp', [{ fromMs: 2000, model: v2 }, { fromMs: 3000, model: v1 }], false)
  t.same([0, 2500, 3000].map((ms) => store.modelAt('BTCUSDT', 'mlp', ms).version), ['v2', 'v2', 'v1'])
})
