import t from 'tap'
import { loadEmbeddedModels } from '../../src/models/embedded-models.js'
import { modelFromRecord, type ModelName, type ModelRecord } from '../../src/models/impact-model.js'
import { registryPublisher, type FencedRegistry, type FencingLock } from '../../src/models/registry-publisher.js'
import { ModelRegistry, RegistryError } from '../../src/models/registry.js'
import { sharedRedis } from '../support/redis-test.js'

const embedded = loadEmbeddedModels('embedded/models.json')

function recordOf (name: ModelName, version: string): ModelRecord {
  return { ...structuredClone(embedded[name].record), version, source: 'recalibrated', createdAtMs: 1 }
}

interface Published { symbol: string, name: string, version: string, source: string, fencingToken: number }

function fakeRegistry (removed: Record<string, string[]> = {}): FencedRegistry & { published: Published[] } {
  const published: Published[] = []
  return {
    published,
    publish: async (symbol, record, opts) => {
      published.push({ symbol, name: record.name, version: record.version, source: record.source, fencingToken: opts.fencingToken })
      return { removedVersions: removed[record.version] ?? [] }
    }
  }
}

function lockOf (leader: boolean, token: number | undefined): FencingLock {
  return { isLeader: () => leader, token: () => token }
}

t.test('the leader publishes each record with its fencing token, as source "registry", and logs removed versions', async (t) => {
  const registry = fakeRegistry({ l2: ['l0'] })
  const logged: Array<{ o: object, m: string }> = []
  const publish = registryPublisher({ registry, lock: lockOf(true, 7), logger: { info: (o, m) => logged.push({ o, m }) } })
  await publish('BTCUSDT', [recordOf('sqrt', 's2'), recordOf('linear', 'l2')])
  t.same(registry.published, [
    { symbol: 'BTCUSDT', name: 'sqrt', version: 's2', source: 'registry', fencingToken: 7 },
    { symbol: 'BTCUSDT', name: 'linear', version: 'l2', source: 'registry', fencingToken: 7 }
  ])
  t.same(logged, [{ o: { symbol: 'BTCUSDT', name: 'linear', removed: ['l0'] }, m: 'old model versions removed' }], 'only a publish that removed versions is logged')
})

t.test('a replica without the lock (or without a token) publishes nothing', async (t) => {
  for (const [leader, token] of [[false, 7], [true, undefined], [false, undefined]] as const) {
    const registry = fakeRegistry()
    const publish = registryPublisher({ registry, lock: lockOf(leader, token), logger: { info: () => {} } })
    await t.rejects(publish('BTCUSDT', [recordOf('sqrt', 's2')]), /does not hold the leader lock/, `leader ${leader}, token ${token}`)
    t.same(registry.published, [])
  }
})

t.test('a refused record stops the loop: the records after it are not sent', async (t) => {
  const registry = fakeRegistry()
  const refusing: FencedRegistry = {
    publish: async (symbol, record, opts) => {
      if (record.name === 'linear') throw new RegistryError('REGISTRY_ERR_STALE_LEADER', 'stale')
      return await registry.publish(symbol, record, opts)
    }
  }
  const publish = registryPublisher({ registry: refusing, lock: lockOf(true, 3), logger: { info: () => {} } })
  await t.rejects(publish('BTCUSDT', [recordOf('sqrt', 's2'), recordOf('linear', 'l2'), recordOf('mlp', 'm2')]), { code: 'REGISTRY_ERR_STALE_LEADER' })
  t.same(registry.published.map((p) => p.name), ['sqrt'])
})

t.test('on the real registry, a stale token is refused and the current one publishes', async (t) => {
  const { redis, prefix } = await sharedRedis(t)
  const registry = new ModelRegistry({ redis, prefix, validate: modelFromRecord })
  await redis.set(`${prefix}{registry}:leader:fence`, '5')
  const stale = registryPublisher({ registry, lock: lockOf(true, 4), logger: { info: () => {} } })
  await t.rejects(stale('BTCUSDT', [recordOf('sqrt', 'stale-1')]), { code: 'REGISTRY_ERR_STALE_LEADER' })
  t.same(await registry.versions('BTCUSDT', 'sqrt'), [], 'nothing written')
  const current = registryPublisher({ registry, lock: lockOf(true, 5), logger: { info: () => {} } })
  await current('BTCUSDT', [recordOf('sqrt', 'fresh-1')])
  t.same((await registry.versions('BTCUSDT', 'sqrt')).map((v) => [v.version, v.active]), [['fresh-1', true]])
  const { sets } = await registry.readActive()
  t.equal(sets.get('BTCUSDT')?.sqrt?.source, 'registry')
})
