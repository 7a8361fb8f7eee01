/** Drops every non-finite number (and the key holding it) so a record never carries NaN, Infinity or null. */
export function finiteOnly<T> (value: T): T {
  if (typeof value === 'number') return (Number.isFinite(value) ? value : undefined) as T
  if (Array.isArray(value)) return value.map(finiteOnly).filter((v) => v !== undefined) as T
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) {
      const clean = finiteOnly(v)
      if (clean !== undefined && clean !== null) out[k] = clean
    }
    return out as T
  }
  return value
}
