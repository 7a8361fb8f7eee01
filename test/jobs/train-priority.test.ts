import t from 'tap'
import { readFileSync } from 'node:fs'
import { once } from 'node:events'
import { Worker } from 'node:worker_threads'
import { trainInWorker } from '../../src/jobs/train-protocol.js'
import { createRng } from '../../src/domain/learn/rng.js'
import type { TimedSample } from '../../src/domain/validation/gate.js'

/** Nice value of a thread of this process, from /proc/self/task/<tid>/stat (field 19, proc(5)). */
function niceOf (tid: number | 'thread-self'): number {
  const stat = readFileSync(tid === 'thread-self' ? '/proc/thread-self/stat' : `/proc/self/task/${tid}/stat`, 'utf8')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

const linuxOnly = process.platform === 'linux' ? false : 'renicing one thread needs Linux /proc'

t.test('lowerThreadPriority renices the calling worker thread to 19 and leaves the main thread alone', { skip: linuxOnly }, async (t) => {
  const mainBefore = niceOf('thread-self')
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
  const [{ tid, reported }] = await once(worker, 'message') as [{ tid: number, reported: number }]
  t.equal(niceOf(tid), 19, `/proc/self/task/${tid}/stat shows the worker thread at nice 19`)
  t.equal(reported, 19, 'and the function reports what the kernel shows')
  t.equal(niceOf('thread-self'), mainBefore, 'the main thread (the event loop) keeps its priority')
  worker.postMessage('exit')
})

t.test('the training worker runs at nice 19', { skip: linuxOnly }, async (t) => {
  const mainBefore = niceOf('thread-self')
  // 300 usable samples over 5 days: enough for the job to train every candidate
  const rng = createRng(3)
  const t0 = Date.UTC(2026, 0, 1)
  const samples: TimedSample[] = Array.from({ length: 300 }, (_, i) => {
    const sign = rng.next() < 0.5 ? -1 : 1
    const participation = Math.exp(-8 + rng.normal())
    return { startMs: t0 + i * 1_440_000, endMs: t0 + i * 1_440_000 + 300_000, signedQtyBase: sign * participation * 10_000, advBase: 10_000, volDaily: 0.03, relSpread: 0.0001, signedReturn: sign * 0.7 * 0.03 * Math.sqrt(participation) + 1e-4 * rng.normal() }
  })
  const result = await trainInWorker({ samples, seed: 1, gapMs: 3_600_000, bucketMs: 86_400_000, published: {} })
  t.equal(result.workerNice, 19, 'the thread that trained reports nice 19')
  t.equal(niceOf('thread-self'), mainBefore, 'the main thread keeps its priority')
  t.ok(result.fits.refit05 !== undefined, 'and it did train')
})
