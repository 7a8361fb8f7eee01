/** Small test helpers over the fake Bybit: a started fake closed in teardown, and GET as JSON. */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { resolveDataDir } from '../../scripts/lib/data-dir.js'
import type { Teardown } from '../support/teardown.js'
import { startFakeBybit, type FakeBybit, type FakeBybitOptions } from './server.js'

/** A fake Bybit closed when the test ends. */
export async function startFake (t: Teardown, options: FakeBybitOptions = {}): Promise<FakeBybit> {
  const fake = await startFakeBybit(options)
  t.teardown(() => fake.close())
  return fake
}

export type Envelope<R = any> = { retCode: number, retMsg: string, result: R, retExtInfo: Record<string, never>, time: number }

/** GET `pathAndQuery` and parse the body as a Bybit envelope. */
export async function getJson<R = any> (fake: FakeBybit, pathAndQuery: string): Promise<Envelope<R>> {
  const res = await fetch(fake.restUrl + pathAndQuery)
  return await res.json() as Envelope<R>
}

/** A file of the shared data directory parsed as JSON. */
export async function readDataJson (relativePath: string): Promise<any> {
  return JSON.parse(await readFile(path.join(resolveDataDir(), relativePath), 'utf8'))
}
