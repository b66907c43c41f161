/** The demo's session cookie. */
export const SESSION_COOKIE = 'demo_session';

/** The session id in a request's `Cookie` header, if any. */
export function sessionIdOf(request: { headers: { cookie?: string } }): string | undefined {
  const match = /(?:^|;\s*)demo_session=([A-Za-z0-9_-]{16,64})(?:;|$)/.exec(
    request.headers.cookie ?? '',
  );
  return match?.[1];
}

/** A response of Express (`res.header`) or Fastify (`reply.header`). */
export interface HeaderTarget {
  header(name: string, value: string): unknown;
}

/** Sets (or, without an id, clears) the session cookie: HttpOnly, SameSite=Lax, the whole site. */
export function setSessionCookie(response: HeaderTarget, id: string | undefined): void {
  response.header(
    'Set-Cookie',
    id === undefined
      ? `${SESSION_COOKIE}=; HttpOnly; SameSite=Lax; Path=/; Max-Age=0`
      : `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Lax; Path=/; Max-Age=86400`,
  );
}
