import { ForbiddenException, UnauthorizedException, type ExecutionContext } from '@nestjs/common';
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { computeSignature } from '../core/wechat-signature';
import { WechatAccounts } from '../accounts/wechat-accounts.registry';
import { resolveWechatAccounts } from '../accounts/wechat-accounts.resolver';
import { MemoryAccessTokenStore } from '../token/memory-access-token.store';
import { resolveWechatOptions } from '../wechat-options.resolver';
import { arrivalOf } from './request-arrival';
import { verifiedQueryOf } from './verified-query';
import { WechatSignatureGuard } from './wechat-signature.guard';

const TOKEN = 'guardToken42';
const now = (): number => Math.floor(Date.now() / 1000);

function guardWith(extra: Record<string, unknown> = {}): WechatSignatureGuard {
  const raw = { appId: 'wx0', appSecret: 's', token: TOKEN, ...extra };
  const options = resolveWechatOptions(raw, true);
  const accounts = new WechatAccounts(
    resolveWechatAccounts(raw, true),
    new MemoryAccessTokenStore(),
  );
  return new WechatSignatureGuard(accounts, options);
}

/** A POST (Node request and response, as under Express) signed at `timestamp`. */
function signedPost(timestamp: number | string, signature?: string) {
  const socket = new Socket();
  const request = new IncomingMessage(socket);
  request.method = 'POST';
  const ts = String(timestamp);
  const sig = signature ?? computeSignature(TOKEN, ts, 'n1');
  request.url = `/wechat?signature=${sig}&timestamp=${ts}&nonce=n1`;
  const response = new ServerResponse(request);
  response.assignSocket(socket);
  const context = {
    switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }),
  } as unknown as ExecutionContext;
  return { request, response, context };
}

describe('WechatSignatureGuard', () => {
  it('accepts a fresh signed request and records its query and its arrival', () => {
    const { request, context } = signedPost(now());
    const before = Date.now();
    expect(guardWith().canActivate(context)).toBe(true);
    expect(verifiedQueryOf(request)).toMatchObject({ nonce: 'n1' });
    expect(arrivalOf(request)).toBeGreaterThanOrEqual(before);
  });

  it.each([
    ['301 s old', now() - 301],
    ['301 s ahead', now() + 301],
    ['years old', 1714036504],
  ])('refuses a signature %s with 403 by default (replayWindowSeconds 300)', (_name, timestamp) => {
    const { context } = signedPost(timestamp);
    expect(() => guardWith().canActivate(context)).toThrow(
      new ForbiddenException('Stale WeChat timestamp'),
    );
  });

  it('accepts a signature inside the window, and any timestamp with replayWindowSeconds: 0', () => {
    expect(guardWith().canActivate(signedPost(now() - 299).context)).toBe(true);
    expect(guardWith({ replayWindowSeconds: 0 }).canActivate(signedPost(1714036504).context)).toBe(
      true,
    );
  });

  it.each(['1e9', '-5', ' 1714036504', '99999999999999'])(
    'refuses a validly signed non-decimal or absurd timestamp %j with 403',
    (timestamp) => {
      expect(() => guardWith().canActivate(signedPost(timestamp).context)).toThrow(
        ForbiddenException,
      );
    },
  );

  it('a refusal sets Connection: close on the response, so its body is never read', () => {
    const missing = signedPost(now());
    missing.request.url = '/wechat?timestamp=1&nonce=2';
    expect(() => guardWith().canActivate(missing.context)).toThrow(UnauthorizedException);
    expect(missing.response.getHeader('connection')).toBe('close');

    const wrong = signedPost(now(), '0'.repeat(40));
    expect(() => guardWith().canActivate(wrong.context)).toThrow(
      new ForbiddenException('Invalid WeChat signature'),
    );
    expect(wrong.response.getHeader('connection')).toBe('close');

    const accepted = signedPost(now());
    expect(guardWith().canActivate(accepted.context)).toBe(true);
    expect(accepted.response.getHeader('connection')).toBeUndefined();
  });
});
