import { spawn, type ChildProcess } from 'node:child_process'
import { createServer, connect } from 'node:net'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sleep } from './wait.js'

/** A redis-server process this test started (never the machine's shared Redis). */
export interface TestRedisServer {
  port: number
  /** redis://127.0.0.1:<port> */
  url: string
  /** the server's private working directory (--dir), removed when the test process exits */
  dir: string
  /** SIGTERM, then waits for the process to exit (SIGKILL after `exitWaitMs`). Idempotent. */
  stop: () => Promise<void>
  /** SIGKILL (a crash: no clean shutdown), then waits for the exit. Idempotent. */
  kill: () => Promise<void>
  /** SIGSTOP: the server keeps its connections open but answers nothing (a hung Redis). */
  pause: () => void
  /** SIGCONT after pause(). */
  resume: () => void
  /** Starts the server again on the same port (stopping it first if it still runs); resolves once PING answers. */
  restart: () => Promise<void>
}

export interface StartRedisServerOptions {
  /** how long to wait for PING to answer after a (re)start, ms */
  readyTimeoutMs?: number
  /** how long to wait for the process to exit after a signal, ms */
  exitWaitMs?: number
  /** extra redis-server arguments, e.g. ['--requirepass', 'secret'] or ['--sentinel'] */
  args?: string[]
  /** text of a config file, written to the server's directory and passed first (Sentinel needs one) */
  config?: string
}

const POLL_MS = 25
const live = new Set<ChildProcess>()
const dirs = new Set<string>()
let exitHookInstalled = false

/** A port that was free a moment ago (bind port 0 on 127.0.0.1, read it, close). */
export async function freePort (): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** True when a raw `PING` on 127.0.0.1:port answers `+PONG` (no client library, no lingering socket). */
export async function pings (port: number, timeoutMs = 500): Promise<boolean> {
  return (await pingReply(port, timeoutMs))?.startsWith('+PONG') ?? false
}

/** The first reply line to a raw `PING` (`+PONG`, or `-NOAUTH ...` with a password), undefined when none. */
async function pingReply (port: number, timeoutMs: number): Promise<string | undefined> {
  return await new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    let text = ''
    const done = (reply: string | undefined): void => { clearTimeout(timer); socket.destroy(); resolve(reply) }
    const timer = setTimeout(() => done(undefined), timeoutMs)
    socket.on('connect', () => socket.write('PING\r\n'))
    socket.on('data', (chunk) => { text += chunk.toString('latin1'); if (text.includes('\r\n')) done(text.slice(0, text.indexOf('\r\n'))) })
    socket.on('error', () => done(undefined))
    socket.on('close', () => done(undefined))
  })
}

/**
 * Starts `redis-server --port <free port> --bind 127.0.0.1 --save "" --appendonly no` and resolves
 * once it answers PING (any reply, so `--requirepass` works). The caller stops it
 * (`t.teardown(server.stop)`); one left running when the test process exits is SIGKILLed by an
 * exit hook, and it never keeps the test process alive.
 * @throws Error when redis-server cannot be spawned, exits early, or does not answer within readyTimeoutMs.
 */
export async function startRedisServer (options: StartRedisServerOptions = {}): Promise<TestRedisServer> {
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000
  const exitWaitMs = options.exitWaitMs ?? 10_000
  installExitHook()
  let lastError: unknown
  for (let attempt = 0; attempt < 3; attempt++) { // another process may grab the free port first
    const port = await freePort()
    const dir = mkdtempSync(join(tmpdir(), 'pretrade-redis-'))
    dirs.add(dir)
    const configArgs: string[] = []
    if (options.config !== undefined) {
      writeFileSync(join(dir, 'redis.conf'), options.config)
      configArgs.push(join(dir, 'redis.conf'))
    }
    const args = [...configArgs, '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...(options.args ?? [])]
    let child: ChildProcess
    try {
      child = await spawnReady(args, port, readyTimeoutMs)
    } catch (err) {
      lastError = err
      continue
    }
    const signal = async (sig: NodeJS.Signals): Promise<void> => {
      const current = child
      if (current.exitCode !== null || current.signalCode !== null) return
      const exited = waitExit(current, exitWaitMs)
      current.kill(sig)
      if (!(await exited)) {
        current.kill('SIGKILL')
        await waitExit(current, exitWaitMs)
      }
    }
    return {
      port,
      url: `redis://127.0.0.1:${port}`,
      dir,
      stop: async () => { child.kill('SIGCONT'); await signal('SIGTERM') }, // a paused server cannot handle SIGTERM
      kill: async () => { child.kill('SIGCONT'); await signal('SIGKILL') },
      pause: () => { child.kill('SIGSTOP') },
      resume: () => { child.kill('SIGCONT') },
      restart: async () => {
        child.kill('SIGCONT')
        await signal('SIGTERM')
        child = await spawnReady(args, port, readyTimeoutMs)
      }
    }
  }
  throw new Error(`could not start redis-server: ${(lastError as Error)?.message ?? 'unknown error'}`)
}

async function spawnReady (args: string[], port: number, readyTimeoutMs: number): Promise<ChildProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
  // a forgotten server must not keep the test process alive; the exit hook kills it
  child.unref()
  for (const stream of [child.stdout, child.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.()
  live.add(child)
  child.once('exit', () => live.delete(child))
  let output = ''
  const keep = (chunk: Buffer): void => { output = (output + chunk.toString()).slice(-2000) }
  child.stdout?.on('data', keep)
  child.stderr?.on('data', keep)
  let spawnError: Error | undefined
  child.once('error', (err) => { spawnError = err })
  const deadline = Date.now() + readyTimeoutMs
  while (Date.now() < deadline) {
    if (spawnError !== undefined) throw new Error(`redis-server did not start: ${spawnError.message}`)
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`redis-server exited early (${child.exitCode ?? child.signalCode}): ${output.trim()}`)
    if (await pingReply(port, 500) !== undefined) return child // any reply: up (-NOAUTH with --requirepass)
    await sleep(POLL_MS)
  }
  child.kill('SIGKILL')
  throw new Error(`redis-server on port ${port} did not answer PING within ${readyTimeoutMs} ms: ${output.trim()}`)
}

/** Resolves true once the child exits, false after timeoutMs. */
async function waitExit (child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return true
  return await new Promise((resolve) => {
    // a ref'ed timer: the child is unref'ed, so its exit alone would not keep the loop alive
    const timer = setTimeout(() => resolve(false), timeoutMs)
    child.once('exit', () => { clearTimeout(timer); resolve(true) })
  })
}

function installExitHook (): void {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL')
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })
}
