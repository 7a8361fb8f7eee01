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
