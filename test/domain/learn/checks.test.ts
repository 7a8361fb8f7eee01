import t from 'tap'
import { Type } from '@sinclair/typebox'
import { checkJson, checkLength } from '../../../src/domain/learn/checks.js'

const Layer = Type.Object({ weights: Type.Array(Type.Array(Type.Number())), biases: Type.Array(Type.Number()) })
const Schema = Type.Object({
  kind: Type.Literal('demo'),
  names: Type.Array(Type.String(), { minItems: 1 }),
  sizes: Type.Tuple([Type.Integer({ minimum: 1 }), Type.Literal(1)]),
  layers: Type.Tuple([Layer, Layer]),
  scale: Type.Number({ exclusiveMinimum: 0 }),
  loss: Type.Number({ minimum: 0 }),
  rows: Type.Integer({ minimum: 2 }),
  seed: Type.Integer({ minimum: -Number.MAX_SAFE_INTEGER, maximum: Number.MAX_SAFE_INTEGER }),
  source: Type.Union([Type.Literal('a'), Type.Literal('b'), Type.Literal('c')]),
  label: Type.String({ minLength: 1, pattern: '\\S' }),
  extra: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
})
const good = (): any => ({
  kind: 'demo',
  names: ['x'],
  sizes: [3, 1],
  layers: [{ weights: [[1, 2]], biases: [0] }, { weights: [[1]], biases: [0] }],
  scale: 1,
  loss: 0,
  rows: 2,
  seed: 42,
  source: 'b',
  label: 'from a test'
})
const broken = (patch: (v: any) => void): unknown => { const v = good(); patch(v); return v }

t.test('a valid value passes and is narrowed to the schema type', async (t) => {
  const value: unknown = good()
  checkJson(Schema, value, 'demo')
  t.equal(value.layers[1].biases[0], 0)
})

t.test('each problem is a TypeError or RangeError naming the JSON path and the rule', async (t) => {
  const cases: Array<[string, unknown, string, string]> = [
    ['not an object', [], 'TypeError', 'f: demo must be an object'],
    ['wrong literal', broken((v) => { v.kind = 'other' }), 'TypeError', "f: demo.kind must be 'demo' (got other)"],
    ['missing number', broken((v) => { delete v.scale }), 'TypeError', 'f: demo.scale must be a finite number (got undefined)'],
    // TypeBox Value rejects NaN and +-Infinity as numbers (TypeSystemPolicy.AllowNaN is false)
    ['NaN deep in an array', broken((v) => { v.layers[0].weights[0][1] = NaN }), 'TypeError', 'f: demo.layers[0].weights[0][1] must be a finite number (got NaN)'],
    ['Infinity', broken((v) => { v.loss = Infinity }), 'TypeError', 'f: demo.loss must be a finite number (got Infinity)'],
    ['null', broken((v) => { v.layers[1].biases[0] = null }), 'TypeError', 'f: demo.layers[1].biases[0] must be a finite number (got null)'],
    ['exclusive minimum', broken((v) => { v.scale = 0 }), 'RangeError', 'f: demo.scale must be > 0 (got 0)'],
    ['minimum', broken((v) => { v.loss = -1 }), 'RangeError', 'f: demo.loss must be >= 0 (got -1)'],
    ['positive integer', broken((v) => { v.sizes[0] = 0 }), 'RangeError', 'f: demo.sizes[0] must be a positive integer (got 0)'],
    ['fractional integer', broken((v) => { v.rows = 2.5 }), 'RangeError', 'f: demo.rows must be an integer >= 2 (got 2.5)'],
    ['safe integer', broken((v) => { v.seed = 2 ** 60 }), 'RangeError', `f: demo.seed must be a safe integer (got ${2 ** 60})`],
    ['number literal', broken((v) => { v.sizes[1] = 2 }), 'RangeError', 'f: demo.sizes[1] must be 1 (got 2)'],
    ['tuple length', broken((v) => { v.layers.pop() }), 'RangeError', 'f: demo.layers must have length 2 (got 1)'],
    ['tuple type', broken((v) => { v.sizes = {} }), 'TypeError', 'f: demo.sizes must be an array of 2 items'],
    ['array type', broken((v) => { v.layers[0].weights = 'w' }), 'TypeError', 'f: demo.layers[0].weights must be an array of arrays'],
    ['empty array', broken((v) => { v.names = [] }), 'TypeError', 'f: demo.names must be a non-empty array of strings'],
    ['string item', broken((v) => { v.names[0] = 3 }), 'TypeError', 'f: demo.names[0] must be a string'],
    ['one of literals', broken((v) => { v.source = 'z' }), 'TypeError', 'f: demo.source must be a, b or c'],
    ['blank string', broken((v) => { v.label = '  ' }), 'TypeError', 'f: demo.label must be a non-empty string'],
    ['record not an object', broken((v) => { v.extra = [1] }), 'TypeError', 'f: demo.extra must be an object']
  ]
  for (const [label, value, name, message] of cases) t.throws(() => { checkJson(Schema, value, 'demo', { fn: 'f' }) }, { name, message }, label)
})

t.test('the first problem in schema field order is reported, not the first missing field', async (t) => {
  const value = broken((v) => { v.kind = 'other'; delete v.label; v.loss = -1 })
  t.throws(() => { checkJson(Schema, value, 'demo') }, { name: 'TypeError', message: "demo.kind must be 'demo' (got other)" })
  t.throws(() => { checkJson(Schema, broken((v) => { delete v.label; v.loss = -1 }), 'demo') }, { name: 'RangeError', message: 'demo.loss must be >= 0 (got -1)' })
})

t.test('relative: fields are named from inside the value; the path names only the value itself', async (t) => {
  t.throws(() => { checkJson(Schema, broken((v) => { v.layers[1].weights[0][0] = 'x' }), 'model', { fn: 'g', relative: true }) }, { message: 'g: layers[1].weights[0][0] must be a finite number (got x)' })
  t.throws(() => { checkJson(Schema, 'x', 'model', { fn: 'g', relative: true }) }, { message: 'g: model must be an object' })
})

t.test('checkLength', async (t) => {
  t.doesNotThrow(() => { checkLength('f', [1, 2], 'a', 2) })
  t.throws(() => { checkLength('f', [1], 'a.b', 2) }, { name: 'RangeError', message: 'f: a.b must have length 2 (got 1)' })
})
