import t from 'tap'
import { readFileSync } from 'node:fs'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { TrainingThread } from '../../src/jobs/train-protocol.js'
import { createRng } from '../../src/domain/learn/rng.js'
import type { TimedSample } from '../../src/domain/validation/walk-forward.js'

/** Nice value and policy of a thread of this process, from /proc/self/task/<tid>/stat (fields 19 and 41, proc(5)). */
function schedOf (tid: number | 'thread-self'): { nice: number, policy: number } {
  const stat = readFileSync(tid === 'thread-self' ? '/proc/thread-self/stat' : `/proc/self/task/${tid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return { nice: Number(fields[16]), policy: Number(fields[38]) }
}

const SCHED_IDLE = 5
const linuxOnly = process.platform === 'linux' ? false : 'changing one thread\'s scheduling needs Linux /proc'
const hasChrt = (() => { try { readFileSync('/usr/bin/chrt'); return true } catch { return false } })()

t.test('lowerThreadPriority lowers the calling worker thread (nice 19, SCHED_IDLE) and leaves the main thread alone', { skip: linuxOnly }, async (t) => {
  const mainBefore = schedOf('thread-self')
  // the worker names its OS thread id, lowers its priority, then waits so the main thread can look at it;
  // an eval'd worker gets no TypeScript loader, so it imports the build (npm test builds first)
  const worker = new Worker(`
    const { parentPort } = require('node:worker_threads')
    const { readlinkSync } = require('node:fs')
    import(${JSON.stringify(new URL('../../dist/src/jobs/train-worker.js', import.meta.url).href)}).then(({ lowerThreadPriority }) => {
      const reported = lowerThreadPriority()
      parentPort.postMessage({ tid: Number(readlinkSync('/proc/thread-self').split('/').pop()), reported })
      parentPort.once('message', () => process.exit(0))
    })
  `, { eval: true })
  t.teardown(async () => { await worker.terminate() })
  const [{ tid, reported }] = await once(worker, 'message') as [{ tid: number, reported: { nice: number, policy: string } }]
  const seen = schedOf(tid)
  t.equal(seen.nice, 19, `/proc/self/task/${tid}/stat shows the worker thread at nice 19`)
  if (hasChrt) t.equal(seen.policy, SCHED_IDLE, 'and under SCHED_IDLE (chrt is installed)')
  t.equal(reported.nice, seen.nice, 'the function reports what the kernel shows')
  t.equal(reported.policy, seen.policy === SCHED_IDLE ? 'SCHED_IDLE' : 'SCHED_OTHER')
  t.same(schedOf('thread-self'), mainBefore, 'the main thread (the event loop) keeps its scheduling')
  worker.postMessage('exit')
})

// 300 usable samples over 5 days: enough for the job to train every candidate
function samples (): TimedSample[] {
  const rng = createRng(3)
  const t0 = Date.UTC(2026, 0, 1)
  return Array.from({ length: 300 }, (_, i) => {
    const sign = rng.next() < 0.5 ? -1 : 1
    const participation = Math.exp(-8 + rng.normal())
    return { startMs: t0 + i * 1_440_000, endMs: t0 + i * 1_440_000 + 300_000, signedQtyBase: sign * participation * 10_000, advBase: 10_000, volDaily: 0.03, relSpread: 0.0001, signedReturn: sign * 0.7 * 0.03 * Math.sqrt(participation) + 1e-4 * rng.normal() }
  })
}

t.test('the training thread trains at the lowest priority, is kept between runs and runs requests in order', { skip: linuxOnly }, async (t) => {
  const mainBefore = schedOf('thread-self')
  const trainer = new TrainingThread({ restMs: 0 })
  t.teardown(async () => { await trainer.close() })
  const request = { samples: samples(), seed: 1, gapMs: 3_600_000, bucketMs: 86_400_000, published: {} }
  const [a, b] = await Promise.all([trainer.train(request), trainer.train({ ...request, seed: 2 })])
  t.equal(a.workerPriority?.nice, 19, 'the thread that trained reports nice 19')
  if (hasChrt) t.equal(a.workerPriority?.policy, 'SCHED_IDLE')
  t.same(schedOf('thread-self'), mainBefore, 'the main thread keeps its scheduling')
  t.ok(a.fits.refit05 !== undefined && b.fits.refit05 !== undefined, 'both requests trained')
  const again = await trainer.train(request)
  t.same(again.fits.refit05, a.fits.refit05, 'the same request and seed give the same fit on the kept thread')
})

t.test('a training error fails only its request; a dead thread is replaced on the next one', async (t) => {
  const trainer = new TrainingThread({ restMs: 0 })
  t.teardown(async () => { await trainer.close() })
  await t.rejects(trainer.train({ samples: 'not samples' as unknown as TimedSample[], seed: 1, gapMs: 1, bucketMs: 1, published: {} }), /training failed/)
  const request = { samples: samples(), seed: 1, gapMs: 3_600_000, bucketMs: 86_400_000, published: {} }
  t.ok((await trainer.train(request)).fits.refit05 !== undefined, 'the thread still trains after an error')
  await trainer.close()
  t.ok((await trainer.train(request)).fits.refit05 !== undefined, 'a closed thread is started again on the next request')
})

t.test('samples cross to the worker packed: packSamples and unpackSamples round-trip exactly', async (t) => {
  const { packSamples, unpackSamples } = await import('../../src/jobs/train-protocol.js')
  const s = samples()
  const packed = packSamples(s)
  t.equal(packed.length, s.length * 7)
  t.same(unpackSamples(packed), s, 'every field of every sample, bit for bit')
  t.same(unpackSamples(packSamples([])), [])
})

t.test('the training throttle: TRAIN_REST_MS defaults to the thread\'s rest, restMs is checked, pacer rests after a slice of work', async (t) => {
  const { loadConfig } = await import('../../src/config.js')
  const { DEFAULT_TRAIN_REST_MS } = await import('../../src/jobs/train-protocol.js')
  const { pacer, WORK_SLICE_MS } = await import('../../src/jobs/train-worker.js')
  t.equal(DEFAULT_TRAIN_REST_MS, 45, 'a tenth of the time: 5 ms of work, 45 ms of rest')
  t.equal(loadConfig({}).TRAIN_REST_MS, DEFAULT_TRAIN_REST_MS, 'the server\'s default is the thread\'s')
  t.equal(loadConfig({ TRAIN_REST_MS: '0' }).TRAIN_REST_MS, 0)
  t.throws(() => loadConfig({ TRAIN_REST_MS: '-1' }), /TRAIN_REST_MS/)
  for (const restMs of [-1, Number.NaN, Infinity]) t.throws(() => new TrainingThread({ restMs }), RangeError, `restMs ${restMs}`)
  t.equal(pacer(0), undefined, 'restMs 0: no afterEpoch callback at all')
  const pace = pacer(30) as () => void
  const workStartMs = performance.now()
  while (performance.now() - workStartMs < WORK_SLICE_MS + 1) { /* a slice of work */ }
  const startMs = performance.now()
  pace()
  t.ok(performance.now() - startMs >= 29, 'a rest of restMs once a slice of work has run')
})
