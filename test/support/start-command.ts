import { readFileSync } from 'node:fs'
import { join } from 'node:path'

/**
 * `npm start` (package.json scripts.start, `node [flags] <script>`) as node flags and entry script,
 * so the tests and the benchmarks run the server exactly as production does.
 * @throws Error if scripts.start is not of that form.
 */
export function startCommand (root = '.'): { nodeFlags: string[], script: string } {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts?: { start?: string } }
  const words = (pkg.scripts?.start ?? '').trim().split(/\s+/)
  const script = words[words.length - 1]
  if (words[0] !== 'node' || words.length < 2 || script.startsWith('-')) throw new Error(`package.json scripts.start must be "node [flags] <script>", got ${JSON.stringify(pkg.scripts?.start)}`)
  return { nodeFlags: words.slice(1, -1), script }
}
