import { DomainRangeError } from './errors.js'

/**
 * Input guards shared by the domain functions. Each names the public function (`fn`), the
 * parameter and the rule, and throws DomainRangeError(`${fn}: ${param} must be ${rule} (got value)`,
 * param, rule), which routes map to a 422 naming the field and the rule.
 */

/**
 * Throws the guards' DomainRangeError.
 * @param said how the message words the rule, when it differs from the rule reported (default: the rule)
 */
export function failRange (fn: string, param: string, rule: string, value: unknown, said = rule): never {
  throw new DomainRangeError(`${fn}: ${param} must be ${said} (got ${String(value)})`, param, rule)
}

/**
 * `value` must be a finite number for which `ok` holds.
 * @example requireNumber('trainMlp', 'options.l2', l2, l2 >= 0, '>= 0')
 * @throws DomainRangeError naming `param` and `rule`
 */
export function requireNumber (fn: string, param: string, value: number, ok: boolean, rule: string, said = rule): void {
  if (!ok || !Number.isFinite(value)) failRange(fn, param, rule, value, said)
}

/** `value` must be a finite number (rule 'finite'). @throws DomainRangeError */
export function requireFinite (fn: string, param: string, value: number): void {
  requireNumber(fn, param, value, true, 'finite')
}

/** `value` must be finite and > 0 (rule 'finite and > 0'). @throws DomainRangeError */
export function requirePositive (fn: string, param: string, value: number): void {
  requireNumber(fn, param, value, value > 0, 'finite and > 0')
}

/** `value` must be finite and >= 0 (rule 'finite and >= 0'). @throws DomainRangeError */
export function requireNonNegative (fn: string, param: string, value: number): void {
  requireNumber(fn, param, value, value >= 0, 'finite and >= 0')
}

/**
 * Output guard: a derived quantity must be finite; when it overflowed, the error blames the
 * input that drives it (`param`, shown with `inputValue`).
 * @throws DomainRangeError naming `param` and `rule`
 */
export function requireFiniteOutput (fn: string, param: string, output: number, inputValue: number, rule = 'small enough that derived costs stay finite'): void {
  if (!Number.isFinite(output)) failRange(fn, param, rule, inputValue)
}
