import { readFileSync } from 'node:fs'

/** One `location [modifier] pattern { ... }` block of an nginx server (no nested blocks inside). */
export interface NginxLocation { modifier: '' | '=' | '~' | '~*' | '^~', pattern: string, body: string }

/** The location blocks of an nginx config, in order, comments dropped. */
export function nginxLocations (path = 'deploy/nginx.conf'): NginxLocation[] {
  const text = readFileSync(path, 'utf8').replace(/#.*$/gm, '')
  return [...text.matchAll(/location\s+(?:(=|~\*|~|\^~)\s+)?(\S+)\s*\{([^{}]*)\}/g)]
    .map(([, modifier, pattern, body]) => ({ modifier: (modifier ?? '') as NginxLocation['modifier'], pattern, body }))
}

/**
 * The location nginx picks for `uri` (ngx_http_core_module): an exact match; else the longest
 * prefix if it is `^~`; else the first matching regex in order; else the longest prefix.
 */
export function matchLocation (locations: NginxLocation[], uri: string): NginxLocation | undefined {
  const exact = locations.find((l) => l.modifier === '=' && l.pattern === uri)
  if (exact !== undefined) return exact
  const prefixes = locations.filter((l) => (l.modifier === '' || l.modifier === '^~') && uri.startsWith(l.pattern))
  const longest = prefixes.sort((a, b) => b.pattern.length - a.pattern.length)[0]
  if (longest?.modifier === '^~') return longest
  const regex = locations.find((l) => (l.modifier === '~' || l.modifier === '~*') && new RegExp(l.pattern, l.modifier === '~*' ? 'i' : '').test(uri))
  return regex ?? longest
}

/** The arguments of a directive in a location's body (`proxy_next_upstream error timeout;` gives its words). */
export function directive (location: NginxLocation, name: string): string[] | undefined {
  const match = new RegExp(`(?:^|[;\\s])${name}\\s+([^;]*);`).exec(location.body)
  return match?.[1].trim().split(/\s+/)
}
