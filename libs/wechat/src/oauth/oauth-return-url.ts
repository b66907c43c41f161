/**
 * The `returnTo` of a web authorization, made safe against open redirects: a path of this app
 * (`/x`, not `//host` nor `/\host`, no control characters or backslashes), or an absolute http(s) URL
 * whose origin is in `allowedOrigins`. Anything else becomes `/`.
 */
export function safeReturnTo(value: unknown, allowedOrigins: readonly string[]): string {
  if (typeof value !== 'string' || value === '') return '/';
  // Browsers strip tabs/newlines and treat "\" like "/": refuse both outright.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(value)) return '/';
  if (value.startsWith('/')) {
    if (value.startsWith('//')) return '/';
    // Resolved against a dummy origin, a path must stay on it.
    const resolved = new URL(value, 'http://return.invalid');
    return resolved.origin === 'http://return.invalid' ? value : '/';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return '/';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return '/';
  return allowedOrigins.includes(url.origin) ? url.href : '/';
}
