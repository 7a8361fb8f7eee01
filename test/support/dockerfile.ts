import { readFileSync } from 'node:fs'

/** One Dockerfile instruction: its keyword upper-cased and the rest of its (joined) line. */
export interface Instruction { keyword: string, args: string }

/**
 * The instructions of a Dockerfile's last stage (from its last FROM), comments dropped and
 * backslash-continued lines joined: enough for our own Dockerfile, not a full parser.
 */
export function finalStage (path = 'Dockerfile'): Instruction[] {
  const joined = readFileSync(path, 'utf8').replace(/\\\n/g, ' ')
  const all = joined.split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'))
    .map((line) => {
      const [, keyword, args] = /^\s*(\S+)\s*(.*)$/.exec(line) as RegExpExecArray
      return { keyword: keyword.toUpperCase(), args: args.trim() }
    })
  const lastFrom = all.map((i) => i.keyword).lastIndexOf('FROM')
  return all.slice(lastFrom)
}

/** Every FROM image of the Dockerfile, in order (`node:26-trixie-slim`, without `AS name`). */
export function baseImages (path = 'Dockerfile'): string[] {
  return readFileSync(path, 'utf8').split('\n')
    .map((line) => /^\s*FROM\s+(\S+)/i.exec(line)?.[1])
    .filter((image): image is string => image !== undefined)
}

/**
 * The argv of an exec-form instruction (`CMD ["node", "x.js"]`).
 * @throws Error for the shell form, whose PID 1 would be /bin/sh and not the program.
 */
export function execForm (instruction: Instruction): string[] {
  try {
    const argv: unknown = JSON.parse(instruction.args)
    if (Array.isArray(argv) && argv.every((word) => typeof word === 'string')) return argv
  } catch {}
  throw new Error(`${instruction.keyword} must be in exec form (a JSON array of strings), got: ${instruction.args}`)
}

/** The variables set by the stage's ENV instructions (`ENV A=1 B=2`; no quoting). */
export function envOf (stage: Instruction[]): Record<string, string> {
  const env: Record<string, string> = {}
  for (const { args } of stage.filter((i) => i.keyword === 'ENV')) {
    for (const pair of args.split(/\s+/)) {
      const eq = pair.indexOf('=')
      if (eq > 0) env[pair.slice(0, eq)] = pair.slice(eq + 1)
    }
  }
  return env
}
