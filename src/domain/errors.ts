/**
 * A domain input that is well-typed but outside what the mathematics accepts
 * (for example etaTilde <= 0 in Almgren-Chriss). Routes map it to a 422 that names
 * `param` (the input field) and `rule` (what it must satisfy).
 */
export class DomainRangeError extends RangeError {
  override readonly name = 'DomainRangeError'
  readonly param: string
  readonly rule: string

  constructor (message: string, param: string, rule: string) {
    super(message)
    this.param = param
    this.rule = rule
  }
}
