import { readFileSync } from 'node:fs'

// No YAML parser is a dependency of this project: docker-compose.yml is read at the text level,
// by indentation, which is enough for its block-style maps and flow-style lists.

/** The non-blank, non-comment lines of the block nested under `path` (`['services', 'api']`), dedented. */
export function composeBlock (path: string[], file = 'docker-compose.yml'): string[] {
  let lines = readFileSync(file, 'utf8').split('\n').filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
  for (const key of path) {
    const start = lines.findIndex((line) => line === `${key}:` || line.startsWith(`${key}: `))
    if (start < 0) throw new Error(`docker-compose.yml has no ${path.join('.')} (missing ${key})`)
    const end = lines.findIndex((line, i) => i > start && !line.startsWith(' '))
    const body = lines.slice(start + 1, end < 0 ? undefined : end)
    const indent = Math.min(...body.map((line) => line.length - line.trimStart().length))
    lines = body.map((line) => line.slice(indent))
  }
  return lines
}

/** The `key: value` scalars directly in a block, quotes stripped (nested maps are left out). */
export function composeScalars (block: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of block.filter((l) => !l.startsWith(' '))) {
    const match = /^([\w.-]+):\s+(.+)$/.exec(line)
    if (match !== null) out[match[1]] = match[2].replace(/^"(.*)"$/, '$1')
  }
  return out
}

/** Compose's interpolation of `${VAR}`, `${VAR:-default}` and `${VAR-default}` from `env`. */
export function interpolate (value: string, env: Record<string, string | undefined>): string {
  return value.replace(/\$\{(\w+)(?:(:?-)([^}]*))?\}/g, (_all, name: string, op: string | undefined, fallback: string | undefined) => {
    const set = env[name]
    if (op === ':-') return set === undefined || set === '' ? fallback ?? '' : set
    if (op === '-') return set ?? fallback ?? ''
    return set ?? ''
  })
}

/** A compose duration (`15s`, `1m30s`, `500ms`) in milliseconds. */
export function durationMs (value: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 0.001 }
  let total = 0
  const rest = value.replace(/(\d+(?:\.\d+)?)(ms|us|h|m|s)/g, (_all, n: string, unit: string) => { total += Number(n) * units[unit]; return '' })
  if (rest !== '' || value === '') throw new Error(`not a compose duration: ${value}`)
  return total
}
