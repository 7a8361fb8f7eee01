import fc from 'fast-check'

/**
 * Hostile JSON for the fuzzer. Bodies are built as text, not with JSON.stringify alone, so they
 * can hold what a real client can send but a JS object cannot: duplicate keys, `__proto__` as an
 * ordinary key, number tokens JSON.parse turns into Infinity (1e999), and nesting deeper than a
 * recursive serializer could write.
 */

/** JSON text spliced in as is (a number token such as 1e999, a 10,000-deep array, invalid JSON). */
export class RawJson {
  constructor (readonly text: string) {}
}

/** An object as its key/value pairs in order: a key may repeat and `__proto__` is just a key. */
export class Pairs {
  constructor (readonly pairs: Array<[string, unknown]>) {}
}

/** Writes a value tree (plain JSON values, RawJson, Pairs) as JSON text. */
export function toJsonText (value: unknown): string {
  if (value instanceof RawJson) return value.text
  if (value instanceof Pairs) return `{${value.pairs.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`
  if (value !== null && typeof value === 'object') {
    return toJsonText(new Pairs(Object.entries(value).filter(([, v]) => v !== undefined)))
  }
  // JSON.stringify writes NaN and Infinity as null, as a JS client would; undefined becomes null too
  return JSON.stringify(value) ?? 'null'
}

/** Turns plain JSON values into a tree whose objects are Pairs, so it can be mutated freely. */
export function toTree (value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toTree)
  if (value !== null && typeof value === 'object' && !(value instanceof RawJson) && !(value instanceof Pairs)) {
    return new Pairs(Object.entries(value).map(([k, v]) => [k, toTree(v)]))
  }
  return value
}

export const deepArray = (depth: number) => new RawJson('['.repeat(depth) + ']'.repeat(depth))
export const deepObject = (depth: number) => new RawJson('{"a":'.repeat(depth) + '1' + '}'.repeat(depth))

/** Number tokens at and beyond the edges of a double, in raw JSON text. */
const NUMBER_TOKENS = [
  '0', '-0', '1e308', '-1e308', '1.7976931348623157e308', '5e-324', '-5e-324', '2.2250738585072014e-308',
  '9007199254740993', '-9007199254740993', '1e21', '1E+21', '1e-7', '1e999', '-1e999', '1e-999', '-1e-999',
  '1' + '0'.repeat(400), '0.' + '0'.repeat(400) + '1', '4294967296', '-2147483649', '0.1', '1', '-1', '1.5'
]

/** Tokens that are not JSON at all (the server must answer 400 PRETRADE_ERR_BAD_JSON). */
const INVALID_TOKENS = ['NaN', 'Infinity', '-Infinity', '+1', '.5', '1.', '01', '0x10', '1e', 'undefined', "'x'", '[1,]', '{"a":1,}', '"\\x41"', '"\\u12"', '"a\u0001"', '']

/** Strings meant to slip past a symbol or enum check: unicode look-alikes, controls, halves of surrogate pairs. */
const HOSTILE_STRINGS = [
  '', ' ', 'BTCUSDT ', ' BTCUSDT', 'btcusdt', 'BTCUSDT\n', 'BTCUSDT\u0000', 'BTC\u0000USDT', 'ＢＴＣＵＳＤＴ', 'BTCUSDТ',
  '\u202eTDSUCTB', 'BTC\u200dUSDT', '🚀USDT', '𝐁𝐓𝐂', '\ud800', '\udfff', '\ud800BTC', 'ß', 'İ', 'BTC/USDT', '../BTCUSDT',
  // eslint-disable-next-line no-template-curly-in-string -- a hostile input string, not a template
  '%00', '${jndi:ldap://x}', '<script>', "' OR 1=1 --", '__proto__', 'constructor', 'toString', 'NaN', 'Infinity', '1e999', 'null', 'true'
]

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.constantFrom(1000, 70_000).map((n) => 'A'.repeat(n)) }
)

/** A value that is wrong for almost any field: bad types, edge numbers, deep nesting, prototype keys. */
export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...NUMBER_TOKENS).map((t) => new RawJson(t)) },
  { weight: 2, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.integer() },
  { weight: 3, arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [1], { a: 1 }, '1', '0', '-1') },
  { weight: 3, arbitrary: hostileString },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 1, arbitrary: fc.constantFrom(10, 1000, 10_000).map(deepArray) },
  { weight: 1, arbitrary: fc.constantFrom(10, 1000, 5000).map(deepObject) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      new Pairs([['__proto__', new Pairs([['polluted', true]])]]),
      new Pairs([['constructor', new Pairs([['prototype', new Pairs([['polluted', true]])]])]]),
      new Pairs([['__proto__', null]])
    )
  }
)

/** A key that must not be accepted as a field: typos, prototype keys, empty and odd keys. */
export const unknownKey: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('volDialy', 'qtybase', 'QtyBase', 'symbol ', '', ' ', '__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString', '$ref', '\u0000'),
  fc.string({ unit: 'binary', maxLength: 12 })
)

/** Whole bodies that are not valid JSON text (or are valid, but not objects). */
export const rawBody: fc.Arbitrary<string | Buffer> = fc.oneof(
  fc.constantFrom(...INVALID_TOKENS),
  fc.constantFrom('null', '0', '""', '[]', '{}', 'true', '1e999', '[{}]', ' ', '\ufeff{}', '{}{}', '{} x', '{"a":1}garbage'),
  fc.constantFrom(100_000, 1_000_000).map((n) => deepArray(n).text),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.json({ maxDepth: 3 })
)
