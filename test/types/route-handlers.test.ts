import t from 'tap'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..', '..')
const DIRECTIVE = /^\s*\/\/ @ts-expect-error (TS\d+):/
const DIAGNOSTIC = /^[^(]*fixture\.ts\((\d+),\d+\): error (TS\d+):/

/** The fixture without its directives, and for each removed directive the line (1-based) and code of the error it covered. */
function stripDirectives (source: string): { text: string, expected: string[] } {
  const kept: string[] = []
  const expected: string[] = []
  for (const line of source.split('\n')) {
    const directive = DIRECTIVE.exec(line)
    if (directive === null) kept.push(line)
    else expected.push(`${kept.length + 1} ${directive[1]}`)
  }
  return { text: kept.join('\n'), expected }
}

async function tsc (args: string[]): Promise<{ code: number | null, output: string }> {
  const child = spawn(join(root, 'node_modules', '.bin', 'tsc'), args, { cwd: root })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve))
  return { code, output }
}

t.test('an ill-typed route handler does not compile', async (t) => {
  const { text, expected } = stripDirectives(readFileSync(join(here, 'route-handlers.ts'), 'utf8'))
  t.equal(expected.length, 4, 'the fixture holds four ill-typed lines')
  // a dot directory beside the fixture: the same relative depth is not needed, node_modules resolves,
  // and the project's own tsc pass (include "test") skips dot directories
  const dir = mkdtempSync(join(here, '.tmp-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  writeFileSync(join(dir, 'fixture.ts'), text.replaceAll("'../../src/", "'../../../src/"))
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
    extends: '../../../tsconfig.json',
    // no build info: the project's incremental state in dist/ is left alone
    compilerOptions: { noEmit: true, incremental: false },
    include: ['fixture.ts']
  }))

  const { code, output } = await tsc(['-p', join(dir, 'tsconfig.json')])
  t.not(code, 0, 'tsc fails')
  const found = output.split('\n').flatMap((line) => {
    const m = DIAGNOSTIC.exec(line)
    return m === null ? [] : [`${m[1]} ${m[2]}`]
  })
  t.same(found, expected, 'exactly the errors the directives name, on their lines')
})
