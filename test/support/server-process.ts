import { spawn, type ChildProcess } from 'node:child_process'
import { startCommand } from './start-command.js'
import { freePort } from './redis-server.js'
import type { Teardown } from './teardown.js'
import { waitFor } from './wait.js'

/** A real server process: the built `npm start` path (`node dist/src/server.js`). */
export interface ServerProcess {
  url: string
  child: ChildProcess
  /** resolves with the exit code and signal once the process has exited */
  exited: Promise<{ code: number | null, signal: NodeJS.Signals | null }>
  /** the last ~20 kB of the process's stdout and stderr (its pino log), for assertion messages */
  output: () => string
  /** the last ~20 kB of its stderr alone */
  stderr: () => string
}

const OUTPUT_KEEP_CHARS = 20_000

/**
 * Fault tests count every failed request; load shedding on a busy shared test machine (a 503 when
 * the event loop lags) is another fault, tested on its own, so it is off unless `env` sets it.
 */
const DEFAULT_ENV = { LOG_LEVEL: 'warn', MAX_EVENT_LOOP_DELAY_MS: '0' }

/** The node arguments of `npm start` (startCommand): flags, then the entry script. */
function npmStartArgs (): string[] {
  const { nodeFlags, script } = startCommand()
  return [...nodeFlags, script]
}

/**
 * Spawns the server as `npm start` does (startCommand), or as `nodeArgs` say (the image's CMD),
 * with `env` over the test's own environment and DEFAULT_ENV, without waiting for anything (a
 * start-up that must fail, or a caller that waits itself). Build first (`npm run build`). The
 * process is SIGKILLed at teardown if it still runs.
 */
export function spawnServer (t: Teardown, env: Record<string, string>, nodeArgs = npmStartArgs()): Omit<ServerProcess, 'url'> {
  const child = spawn(process.execPath, nodeArgs, {
    env: { ...process.env, ...DEFAULT_ENV, ...env },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let output = ''
  let stderr = ''
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString()).slice(-OUTPUT_KEEP_CHARS) }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-OUTPUT_KEEP_CHARS) })
  const exited = new Promise<{ code: number | null, signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }))
  })
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
    await exited
  })
  return { child, exited, output: () => output, stderr: () => stderr }
}

/**
 * Spawns the server (spawnServer, `nodeArgs` as there) on a free port of 127.0.0.1 and resolves once GET /ready
 * answers 200.
 * @throws Error when it does not become ready within readyTimeoutMs (its output in the message).
 */
export async function startServerProcess (t: Teardown, env: Record<string, string>, readyTimeoutMs = 20_000, nodeArgs?: string[]): Promise<ServerProcess> {
  const port = await freePort()
  const server = spawnServer(t, { ...env, PORT: String(port), HOST: '127.0.0.1' }, nodeArgs)
  const { child } = server
  const url = `http://127.0.0.1:${port}`
  const up = await waitFor(`GET ${url}/ready to answer 200`, async () => {
    if (child.exitCode !== null) return true
    try { return (await fetch(`${url}/ready`)).ok } catch { return false }
  }, { timeoutMs: readyTimeoutMs, everyMs: 100 }).then(() => true, () => false)
  if (!up || child.exitCode !== null) throw new Error(`server process did not become ready (exit ${child.exitCode}): ${server.output()}`)
  return { url, ...server }
}
