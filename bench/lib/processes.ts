import { spawn, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { once } from 'node:events'
import { join } from 'node:path'
import { ConfigSchema } from '../../src/config.js'
import { freePort } from '../../test/support/redis-server.js'

/** A server child process of the bench, with its stdout and stderr in one log file. */
export interface Service {
  name: string
  url: string
  logPath: string
  child: ChildProcess
  stop: () => Promise<void>
}

/** The bench's environment without any variable the service reads: only what a scenario sets applies. */
function baseEnv (): Record<string, string> {
  const env: Record<string, string> = {}
  const configKeys = new Set(Object.keys(ConfigSchema.properties))
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !configKeys.has(key)) env[key] = value
  }
  return env
}

function logTail (path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n')
  } catch {
    return '(no log)'
  }
}

/**
 * Spawns `node <args>` (flags, then the script) in `cwd` with PORT and HOST=127.0.0.1 plus `env`, and resolves once GET
 * `readyPath` answers 200. @throws Error with the log's tail if it exits or is not ready within 30 s.
 */
export async function startService (name: string, args: readonly string[], env: Record<string, string>, logDir: string, readyPath: string, cwd: string): Promise<Service> {
  const port = await freePort()
  const logPath = join(logDir, `${name}.log`)
  const log = openSync(logPath, 'a')
  const child = spawn(process.execPath, [...args], { cwd, env: { ...baseEnv(), ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', log, log] })
  closeSync(log)
  const url = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return
    const exited = once(child, 'exit')
    child.kill('SIGTERM')
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000)
    await exited
    clearTimeout(timer)
  }
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break
    try {
      if ((await fetch(url + readyPath)).status === 200) return { name, url, logPath, child, stop }
    } catch { /* not listening yet */ }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  await stop()
  throw new Error(`${name} did not become ready (exit code ${child.exitCode}); log ${logPath}:\n${logTail(logPath)}`)
}

/** POSTs a JSON body and returns the status and the exact response text. */
export async function postJson (url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number, text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body })
  return { status: res.status, text: await res.text() }
}
