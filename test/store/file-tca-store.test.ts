import t, { type Test } from 'tap'
import { appendFileSync, readFileSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join } from 'node:path'
import { FileTcaStore, type TcaRecord } from '../../src/store/tca-store.js'

function record (symbol: string, executedAtMs: number, qtyBase = 1): TcaRecord {
  return { receivedAtMs: executedAtMs, executedAtMs, symbol, side: 'buy', qtyBase, execPriceQuote: 101, arrivalPriceQuote: 100, advBase: 1000, volDaily: 0.02, relSpread: 1e-4 }
}

t.test('records are read back per symbol, oldest execution first, from memory after the first read and from the file by a new instance', async (t) => {
  const path = join(t.testdirName, 'tca.jsonl')
  t.testdir({})
  const store = new FileTcaStore(path)
  t.same(await store.read('BTCUSDT'), [], 'no file yet: nothing')
  await store.append([record('BTCUSDT', 3000), record('ETHUSDT', 1000), record('BTCUSDT', 1000)])
  t.same((await store.read('BTCUSDT')).map((r) => r.executedAtMs), [1000, 3000])
  await store.append([record('BTCUSDT', 2000)])
  t.same((await store.read('BTCUSDT')).map((r) => r.executedAtMs), [1000, 2000, 3000], 'an append after the first read is seen')
  t.same((await store.read('BTCUSDT', 2000)).map((r) => r.executedAtMs), [2000, 3000], 'sinceMs is inclusive')
  t.equal(readFileSync(path, 'utf8').trim().split('\n').length, 4, 'every record is on disk')
  t.same(await new FileTcaStore(path).read('BTCUSDT'), await store.read('BTCUSDT'), 'a new instance parses the same records from the file')
})

t.test('a torn last line is skipped; reads and appends racing never lose or double a record', async (t) => {
  const path = join(t.testdirName, 'tca.jsonl')
  t.testdir({})
  const seed = new FileTcaStore(path)
  await seed.append(Array.from({ length: 1000 }, (_, i) => record('BTCUSDT', i)))
  appendFileSync(path, '{"symbol":"BTCUSDT","executedAt')
  const store = new FileTcaStore(path)
  const reading = store.read('BTCUSDT')
  const appending = store.append([record('BTCUSDT', 5000)])
  await appending
  const first = await reading
  t.ok(first.length === 1000 || first.length === 1001, `the racing read sees the append or not (${first.length})`)
  t.equal((await store.read('BTCUSDT')).length, 1001, 'afterwards: the 1000 records and the append, once each')
})

t.test('after a torn last line the next append starts a fresh line, so a new reader keeps it', async (t) => {
  const path = join(t.testdirName, 'tca.jsonl')
  t.testdir({})
  await new FileTcaStore(path).append([record('BTCUSDT', 1)])
  appendFileSync(path, '{"symbol":"BTCUSDT","executedAt')
  await new FileTcaStore(path).append([record('BTCUSDT', 2)])
  t.same((await new FileTcaStore(path).read('BTCUSDT')).map((r) => r.executedAtMs), [1, 2], 'the torn line alone is lost')
})

/** Counts (and optionally fails) FileHandle.sync calls for the rest of test `t`. */
async function watchSyncs (t: Test, dir: string, fail: (call: number) => boolean = () => false): Promise<{ calls: number }> {
  const probe = await open(join(dir, 'probe'), 'w')
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> }
  await probe.close()
  const original = proto.sync
  const seen = { calls: 0 }
  proto.sync = async function (this: unknown) {
    seen.calls++
    if (fail(seen.calls)) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' })
    return await original.call(this)
  }
  t.teardown(() => { proto.sync = original })
  return seen
}

t.test('concurrent appends share one write and one fsync, each resolving once its records are synced', async (t) => {
  const dir = t.testdir({})
  const path = join(dir, 'tca.jsonl')
  const store = new FileTcaStore(path)
  const syncs = await watchSyncs(t, dir)
  await Promise.all(Array.from({ length: 50 }, async (_, i) => await store.append([record('BTCUSDT', i), record('ETHUSDT', i)])))
  t.equal(syncs.calls, 1, '50 appends issued together: one fsync')
  t.equal(readFileSync(path, 'utf8').trim().split('\n').length, 100, 'every record on disk')

  const first = store.append([record('BTCUSDT', 100)])
  await new Promise((resolve) => setImmediate(resolve))
  const later = Array.from({ length: 20 }, async (_, i) => await store.append([record('BTCUSDT', 101 + i)]))
  await Promise.all([first, ...later])
  t.equal(syncs.calls, 3, 'appends arriving during a write wait for the next one, together')
  t.same((await new FileTcaStore(path).read('BTCUSDT')).map((r) => r.executedAtMs), [...Array.from({ length: 50 }, (_, i) => i), ...Array.from({ length: 21 }, (_, i) => 100 + i)], 'a new reader sees every record, once')
})

t.test('a failed fsync rejects every append of its group; the next group is written', async (t) => {
  const dir = t.testdir({})
  const path = join(dir, 'tca.jsonl')
  const store = new FileTcaStore(path)
  const syncs = await watchSyncs(t, dir, (call) => call === 1)
  const group = await Promise.allSettled([store.append([record('BTCUSDT', 1)]), store.append([record('BTCUSDT', 2)])])
  t.same(group.map((r) => r.status), ['rejected', 'rejected'], 'both appends of the failed group are refused')
  await store.append([record('BTCUSDT', 3)])
  t.equal(syncs.calls, 2)
  t.ok((await new FileTcaStore(path).read('BTCUSDT')).some((r) => r.executedAtMs === 3), 'the next append is durable')
})
