import neostandard from 'neostandard'

// neostandard (the successor of standard) with its TypeScript rules; generated and recorded files are ignored
export default [
  ...neostandard({ ts: true, ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'openapi/**', 'embedded/**', 'test/fixtures/**'] }),
  {
    rules: {
      // `void promise` marks a deliberately unawaited promise (its errors are handled inside)
      'no-void': ['error', { allowAsStatement: true }],
      // a TypeBox schema and its Static type share one name (const X = Type.Object(...); type X = Static<typeof X>)
      '@typescript-eslint/no-redeclare': 'off'
    }
  }
]
