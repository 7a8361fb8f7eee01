/** Number and table formatting of the `npm run eval` Markdown report. */

/** `digits` significant digits; exponent notation below 1e-3 and from 1e6. */
export function sig (x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x)
  const abs = Math.abs(x)
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return x.toExponential(digits - 1)
  return Number(x.toPrecision(digits)).toString()
}

/** A Markdown table with columns padded to their widest cell. */
export function markdownTable (header: readonly string[], rows: readonly string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)))
  const line = (cells: readonly string[]): string => `| ${cells.map((c, j) => c.padEnd(widths[j])).join(' | ')} |`
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n')
}
