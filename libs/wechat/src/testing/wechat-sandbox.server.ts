import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SandboxDrafts, type FixturePublication } from './sandbox/sandbox-drafts';
import { SandboxFollowers, type FixtureTag } from './sandbox/sandbox-followers';
import { SandboxMedia, type FixtureFormPart, type FixtureMedia } from './sandbox/sandbox-media';
import { SandboxMenu, type FixtureMenus } from './sandbox/sandbox-menu';
import {
  jsonBody,
  OPENID_PATTERN,
  SandboxApiError,
  type Json,
  type SandboxAnswer,
  type SandboxDomain,
} from './sandbox/sandbox-request';
import { SandboxSubscribe, type FixtureSubscribeTemplate } from './sandbox/sandbox-subscribe';

export type { FixturePublication } from './sandbox/sandbox-drafts';
export type { FixtureTag } from './sandbox/sandbox-followers';
export type { FixtureFormPart, FixtureMedia } from './sandbox/sandbox-media';
export type { FixtureMenus } from './sandbox/sandbox-menu';
export type { FixtureSubscribeTemplate } from './sandbox/sandbox-subscribe';
import { SandboxOAuth, SandboxOAuthError, type SandboxOAuthUser } from './sandbox-oauth';

/**
 * The sandbox: a local stand-in for `https://api.weixin.qq.com`, for tests and local development
 * only (never started by the module itself). It serves the token endpoints and the APIs the library
 * calls, with WeChat's checks and error codes (protocol.md §6), plus knobs to count calls and
 * inject errors, delays and connection resets. Plain Node (node:http), no jest, no Nest.
 *
 * ```ts
 * const server = await startWechatApiServer({ expiresIn: 7200 });
 * // WechatModule.forRoot({ appId: server.appId, appSecret: server.appSecret, apiBaseUrl: server.url })
 * server.injectError('/cgi-bin/token', { errcode: 40164, errmsg: 'invalid ip' });
 * expect(server.calls('/cgi-bin/token')).toBe(1);
 * await server.close();
 * ```
 *
 * Behaviour:
 * - `GET /cgi-bin/token`: checks grant_type (40002), appid (40013), secret (40125); issues a new
 *   random token each call and invalidates the previous `/token` tokens after `tokenOverlapMs`
 *   (default 0: at once; WeChat itself keeps them ~5 minutes).
 * - `POST /cgi-bin/stable_token`: same checks; returns the current stable token (with its remaining
 *   `expires_in`) while it has more than `stableRotateBeforeSeconds` left, else a new one;
 *   `force_refresh: true` invalidates the current one and issues a new one, at most once per
 *   `forceRefreshIntervalMs` (else 45011).
 * - Token-authenticated APIs answer 41001 without `access_token`, 40001 for an unknown or
 *   invalidated token, 42001 for an expired one.
 * - POST bodies containing a `\uXXXX` escape are refused with 40033 (WeChat wants raw UTF-8);
 *   unparsable JSON → 47001.
 * - `POST /cgi-bin/message/template/send` → incrementing `msgid` (64-bit, written as a JSON number).
 * - `POST /cgi-bin/qrcode/create`: validates action_name / scene / expire_seconds (40053 — the
 *   sandbox's choice of code); tickets always contain `+`, `/` and `=`.
 * - `GET /cgi-bin/user/info`, `POST /cgi-bin/user/info/batchget` (1–100 entries, else 40032): any
 *   openid of the form `o` + ≥ 5 of `[A-Za-z0-9_-]` is a follower with a default profile unless
 *   {@link WechatApiServer.setUser} says otherwise; other openids → 40003.
 * - `POST /cgi-bin/message/custom/send`: checks touser (40003), msgtype (40008), its payload (47001).
 * - Web authorization (`/connect/oauth2/authorize`, `/sns/*`) and `GET /cgi-bin/ticket/getticket`:
 *   see {@link SandboxOAuth}; point the module's `oauthBaseUrl` at this server's `url`.
 * - The API domains, each in `testing/sandbox/`, with WeChat's checks and codes and what they
 *   store readable back: media and material (multipart, sizes, types; {@link WechatApiServer.media},
 *   {@link WechatApiServer.lastParts}), menus ({@link WechatApiServer.menus}), followers, tags and
 *   the blacklist (pages of `followersPageSize`), subscription notifications and templates, the
 *   typing indicator, drafts and publishing (published at once); the retired `add_news` → 45106.
 *
 * Paths given to the knobs and counters are API paths without the query, e.g. `/cgi-bin/token`.
 */
export interface WechatApiServer {
  /** Base URL, e.g. `http://127.0.0.1:40123` (use as `apiBaseUrl`). */
  readonly url: string;
  /** The AppID the server accepts. */
  readonly appId: string;
  /** The AppSecret the server accepts. */
  readonly appSecret: string;
  /** Every access_token issued so far (both endpoints), oldest first. */
  readonly issuedTokens: readonly string[];
  /** Every QR code created so far, oldest first. */
  readonly createdQRCodes: readonly FixtureQRCode[];

  /** Requests received on `path` (all of them, also those answered by an injected failure); no path → all paths. */
  calls(path?: string): number;
  /**
   * Requests on `path` for one account: token requests naming its `appid`, API requests with one
   * of its tokens (also those answered by an injected failure).
   */
  callsFor(path: string, appId: string): number;
  /** Parsed JSON body of the last request on `path` (`undefined` if none or not JSON). */
  lastBody(path: string): unknown;
  /** Parsed JSON bodies of every request on `path`, oldest first. */
  bodies(path: string): unknown[];
  /** Raw (UTF-8 decoded) body of the last request on `path`. */
  lastRawBody(path: string): string | undefined;
  /** Query parameters of the last request on `path`. */
  lastQuery(path: string): Record<string, string> | undefined;
  /** Issue time, expiry and invalidation of a token this server issued. */
  tokenInfo(token: string): FixtureTokenInfo | undefined;
  /** Whether an API call with this token would currently be accepted. */
  isTokenValid(token: string): boolean;
  /** Resolves once `path` has received at least `count` requests; rejects after `timeoutMs`. */
  waitForCalls(path: string, count: number, timeoutMs?: number): Promise<void>;

  /** The next `times` (default 1) requests on `path` are answered with this errcode. */
  injectError(path: string, error: FixtureInjectedError): void;
  /** The next `times` (default 1) requests on `path` are answered only after `ms` ms. */
  injectDelay(path: string, ms: number, times?: number): void;
  /** The next `times` (default 1) requests on `path` get their connection destroyed. */
  injectReset(path: string, times?: number): void;
  /** The next `times` (default 1) requests on `path` get this raw HTTP answer (e.g. 502, HTML). */
  injectResponse(path: string, response: FixtureInjectedResponse): void;
  /**
   * Makes every token issued so far invalid (API calls with them → 40001). The stable token is
   * rotated too (the next normal stable_token call issues a new one), unless `keepStableToken`:
   * then normal stable_token calls keep returning the rejected token until a `force_refresh`.
   * With `appId`, only that account's tokens.
   */
  invalidateAllTokens(options?: { keepStableToken?: boolean; appId?: string }): void;
  /** Sets the profile returned for `openid` (`{ subscribe: 0 }` models a user who unfollowed). */
  setUser(openid: string, profile: Record<string, unknown>): void;

  /** Every jsapi_ticket issued so far (`/cgi-bin/ticket/getticket`), oldest first. */
  readonly issuedTickets: readonly string[];
  /** Every web authorization code issued so far, oldest first. */
  readonly issuedOAuthCodes: readonly string[];
  /** A fresh single-use code for the web authorization user, as the authorize page hands out. */
  issueOAuthCode(scope?: 'snsapi_base' | 'snsapi_userinfo', appId?: string): string;
  /** Sets who logs in through web authorization (default {@link SANDBOX_OAUTH_USER}). */
  setOAuthUser(user: SandboxOAuthUser): void;

  /** A file stored by an upload (temporary, permanent or article image), byte for byte. */
  media(mediaId: string): FixtureMedia | undefined;
  /** The multipart parts of the last multipart request on `path`. */
  lastParts(path: string): FixtureFormPart[] | undefined;
  /** The menus as created (default and conditional). */
  readonly menus: FixtureMenus;
  /** Sets the default menu as if created in the admin console (undefined: no menu). */
  setMenu(buttons: Record<string, unknown>[] | undefined): void;
  /** Replaces the follower list (`user/get` pages it in this order). */
  setFollowers(openids: readonly string[]): void;
  /** A follower's remark ('' if none). */
  remark(openid: string): string;
  /** The tags with their members. */
  readonly tags: readonly FixtureTag[];
  /** The blacklisted openids, in order. */
  readonly blacklist: readonly string[];
  /** Subscription templates of the account. */
  readonly subscribeTemplates: readonly FixtureSubscribeTemplate[];
  /** Adds a subscription template as if picked in the console; returns its priTmplId. */
  addSubscribeTemplate(tid?: string, kidList?: readonly number[]): string;
  /** bizsend to `openid` answers 43101 from now on (refused or used up). */
  refuseSubscription(openid: string): void;
  /** A draft's articles as stored. */
  draft(mediaId: string): Record<string, unknown>[] | undefined;
  /** Every publish job, oldest first. */
  readonly publications: readonly FixturePublication[];

  /** Clears counters, recorded bodies, injections, tokens, QR codes, users and every domain's data (keeps the port). */
  reset(): void;
  /** Stops listening, drops open connections and pending delayed answers. */
  close(): Promise<void>;
}

/** Options of {@link startWechatApiServer}. */
export interface WechatApiServerOptions {
  /** Accepted AppID. Default `wx0a1b2c3d4e5f6a7b`. */
  appId?: string;
  /** Accepted AppSecret. Default a fixed 32-character fake. */
  appSecret?: string;
  /** `expires_in` of new tokens, in seconds. Default 7200. */
  expiresIn?: number;
  /** `expires_in` of new stable tokens. Default `expiresIn`. */
  stableExpiresIn?: number;
  /** A stable token with this many seconds or fewer left is replaced by a normal call. Default 300. */
  stableRotateBeforeSeconds?: number;
  /** How long a `/token` token stays valid after a newer one was issued, in ms. Default 0. */
  tokenOverlapMs?: number;
  /** Minimum interval between two `force_refresh: true` calls, in ms. Default 30 000. */
  forceRefreshIntervalMs?: number;
  /** First template `msgid`. Default 2^53 + 1 (9007199254740993), to catch rounding. */
  firstMsgId?: bigint | string;
  /** openids per page of `user/get`, tag members and the blacklist. Default 10 000 (WeChat's). */
  followersPageSize?: number;
  /**
   * More Official Accounts the server accepts beside `appId` (for several accounts in one app);
   * each has its own tokens.
   */
  accounts?: ReadonlyArray<{ readonly appId: string; readonly appSecret: string }>;
}

/** An errcode answer to inject. */
export interface FixtureInjectedError {
  errcode: number;
  /** Default `injected error`. */
  errmsg?: string;
  /** How many requests get it. Default 1. */
  times?: number;
}

/** A raw HTTP answer to inject. */
export interface FixtureInjectedResponse {
  status: number;
  body: string;
  /** Default `text/plain`. */
  contentType?: string;
  /** How many requests get it. Default 1. */
  times?: number;
}

/** What the server knows about a token it issued. */
export interface FixtureTokenInfo {
  readonly token: string;
  readonly kind: 'token' | 'stable';
  /** Epoch ms. */
  readonly issuedAt: number;
  /** Epoch ms when WeChat would answer 42001. */
  readonly expiresAt: number;
  /** Epoch ms from which it is refused with 40001, if invalidated. */
  readonly invalidAt?: number;
}

/** A QR code created through `/cgi-bin/qrcode/create`. */
export interface FixtureQRCode {
  readonly ticket: string;
  readonly url: string;
  readonly actionName: string;
  readonly sceneId?: number;
  readonly sceneStr?: string;
  readonly expireSeconds?: number;
}

/** Default AppID of the sandbox. */
export const SANDBOX_APP_ID = 'wx0a1b2c3d4e5f6a7b';
/** Default AppSecret of the sandbox. */
export const SANDBOX_APP_SECRET = 'fixtureSecret0123456789abcdefABCD';

const TOKEN_PATH = '/cgi-bin/token';
const STABLE_TOKEN_PATH = '/cgi-bin/stable_token';
const QR_ACTIONS = ['QR_SCENE', 'QR_STR_SCENE', 'QR_LIMIT_SCENE', 'QR_LIMIT_STR_SCENE'];
const CUSTOM_MSGTYPES = [
  'text',
  'image',
  'voice',
  'video',
  'music',
  'news',
  'mpnews',
  'mpnewsarticle',
  'msgmenu',
  'wxcard',
  'miniprogrampage',
];
const LANGS = ['zh_CN', 'zh_TW', 'en'];

interface MutableTokenInfo {
  token: string;
  appId: string;
  kind: 'token' | 'stable';
  issuedAt: number;
  expiresAt: number;
  invalidAt?: number;
}

interface RequestRecord {
  raw: string;
  body: unknown;
  query: Record<string, string>;
}

interface Injections {
  errors: { errcode: number; errmsg: string; remaining: number }[];
  delays: { ms: number; remaining: number }[];
  resets: number;
  responses: { status: number; body: string; contentType: string; remaining: number }[];
}

function rid(): string {
  return `${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`;
}

/** The stable_token state of one account. */
interface StableState {
  current: MutableTokenInfo | undefined;
  stuck: boolean;
  lastForceRefreshAt: number;
}

function newStableState(): StableState {
  return { current: undefined, stuck: false, lastForceRefreshAt: Number.NEGATIVE_INFINITY };
}

/** A `\uXXXX` escape outside an escaped backslash (`\\u0041` is the text `\u0041`, allowed). */
function hasUnicodeEscape(raw: string): boolean {
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] !== '\\') continue;
    if (raw[i + 1] === 'u' && /^[0-9a-fA-F]{4}$/.test(raw.slice(i + 2, i + 6))) return true;
    i++; // skip the escaped character
  }
  return false;
}

function isInt32(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= -(2 ** 31) && (value as number) < 2 ** 31;
}

function newTicket(): string {
  // 0xfb 0xef 0xbf encode as "+++/"; 16 more random bytes (19 in total) end in "==".
  return `gQ${Buffer.concat([Buffer.from([0xfb, 0xef, 0xbf]), randomBytes(16)]).toString('base64')}`;
}

class FixtureServer implements WechatApiServer {
  readonly appId: string;
  readonly appSecret: string;
  url = '';
  private readonly server: Server;
  private readonly expiresIn: number;
  private readonly stableExpiresIn: number;
  private readonly stableRotateBeforeMs: number;
  private readonly tokenOverlapMs: number;
  private readonly forceRefreshIntervalMs: number;
  private readonly firstMsgId: bigint;

  private counts = new Map<string, number>();
  private records = new Map<string, RequestRecord[]>();
  private injections = new Map<string, Injections>();
  private tokens = new Map<string, MutableTokenInfo>();
  private tokenList: string[] = [];
  private qrCodes: FixtureQRCode[] = [];
  private users = new Map<string, Json>();
  private readonly secrets = new Map<string, string>();
  private stable = new Map<string, StableState>();
  private appCounts = new Map<string, number>();
  private nextMsgId: bigint;
  private tokenSeq = 0;
  private readonly pendingDelays = new Set<NodeJS.Timeout>();
  private readonly mediaDomain = new SandboxMedia();
  private readonly followers: SandboxFollowers;
  private readonly menuDomain: SandboxMenu;
  private readonly subscribeDomain = new SandboxSubscribe();
  private readonly draftsDomain = new SandboxDrafts((id) => this.mediaDomain.isPermanent(id));
  private readonly domains: SandboxDomain[];
  private readonly oauth: SandboxOAuth;

  constructor(options: WechatApiServerOptions) {
    this.appId = options.appId ?? SANDBOX_APP_ID;
    this.appSecret = options.appSecret ?? SANDBOX_APP_SECRET;
    this.secrets.set(this.appId, this.appSecret);
    for (const account of options.accounts ?? [])
      this.secrets.set(account.appId, account.appSecret);
    this.expiresIn = options.expiresIn ?? 7200;
    this.stableExpiresIn = options.stableExpiresIn ?? this.expiresIn;
    this.stableRotateBeforeMs = (options.stableRotateBeforeSeconds ?? 300) * 1000;
    this.tokenOverlapMs = options.tokenOverlapMs ?? 0;
    this.forceRefreshIntervalMs = options.forceRefreshIntervalMs ?? 30_000;
    this.firstMsgId = BigInt(options.firstMsgId ?? 2n ** 53n + 1n);
    this.nextMsgId = this.firstMsgId;
    this.followers = new SandboxFollowers(options.followersPageSize ?? 10_000);
    this.menuDomain = new SandboxMenu((openid) => this.followers.tagsOf(openid));
    this.domains = [
      this.mediaDomain,
      this.menuDomain,
      this.followers,
      this.subscribeDomain,
      this.draftsDomain,
    ];
    this.oauth = new SandboxOAuth((appId) => this.secrets.get(appId), this.appId);
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end(String(error));
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
  }

  get issuedTokens(): readonly string[] {
    return [...this.tokenList];
  }

  get createdQRCodes(): readonly FixtureQRCode[] {
    return [...this.qrCodes];
  }

  get issuedTickets(): readonly string[] {
    return this.oauth.issuedTickets;
  }

  get issuedOAuthCodes(): readonly string[] {
    return this.oauth.issuedCodes;
  }

  issueOAuthCode(scope: 'snsapi_base' | 'snsapi_userinfo' = 'snsapi_base', appId?: string): string {
    return this.oauth.issueCode(scope, appId);
  }

  setOAuthUser(user: SandboxOAuthUser): void {
    this.oauth.user = { ...user };
  }

  calls(path?: string): number {
    if (path !== undefined) return this.counts.get(path) ?? 0;
    let total = 0;
    for (const count of this.counts.values()) total += count;
    return total;
  }

  callsFor(path: string, appId: string): number {
    return this.appCounts.get(`${appId} ${path}`) ?? 0;
  }

  lastBody(path: string): unknown {
    return this.records.get(path)?.at(-1)?.body;
  }

  bodies(path: string): unknown[] {
    return (this.records.get(path) ?? []).map((record) => record.body);
  }

  lastRawBody(path: string): string | undefined {
    return this.records.get(path)?.at(-1)?.raw;
  }

  lastQuery(path: string): Record<string, string> | undefined {
    const query = this.records.get(path)?.at(-1)?.query;
    return query ? { ...query } : undefined;
  }

  tokenInfo(token: string): FixtureTokenInfo | undefined {
    const info = this.tokens.get(token);
    return info ? { ...info } : undefined;
  }

  isTokenValid(token: string): boolean {
    const info = this.tokens.get(token);
    const now = Date.now();
    return !!info && now < info.expiresAt && (info.invalidAt === undefined || now < info.invalidAt);
  }

  async waitForCalls(path: string, count: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.calls(path) < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `${path} received ${this.calls(path)} of ${count} calls in ${timeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  injectError(path: string, error: FixtureInjectedError): void {
    this.injectionsOf(path).errors.push({
      errcode: error.errcode,
      errmsg: error.errmsg ?? 'injected error',
      remaining: error.times ?? 1,
    });
  }

  injectDelay(path: string, ms: number, times = 1): void {
    this.injectionsOf(path).delays.push({ ms, remaining: times });
  }

  injectReset(path: string, times = 1): void {
    this.injectionsOf(path).resets += times;
  }

  injectResponse(path: string, response: FixtureInjectedResponse): void {
    this.injectionsOf(path).responses.push({
      status: response.status,
      body: response.body,
      contentType: response.contentType ?? 'text/plain',
      remaining: response.times ?? 1,
    });
  }

  invalidateAllTokens(options: { keepStableToken?: boolean; appId?: string } = {}): void {
    const now = Date.now();
    for (const info of this.tokens.values()) {
      if (options.appId !== undefined && info.appId !== options.appId) continue;
      if (info.invalidAt === undefined || info.invalidAt > now) info.invalidAt = now;
    }
    for (const [appId, state] of this.stable) {
      if (options.appId !== undefined && appId !== options.appId) continue;
      if (options.keepStableToken) {
        state.stuck = state.current !== undefined;
      } else {
        state.current = undefined;
        state.stuck = false;
      }
    }
  }

  setUser(openid: string, profile: Record<string, unknown>): void {
    this.users.set(openid, { ...profile, openid });
  }

  media(mediaId: string): FixtureMedia | undefined {
    return this.mediaDomain.media(mediaId);
  }

  lastParts(path: string): FixtureFormPart[] | undefined {
    return this.mediaDomain.lastParts(path);
  }

  get menus(): FixtureMenus {
    return this.menuDomain.menus;
  }

  setMenu(buttons: Record<string, unknown>[] | undefined): void {
    this.menuDomain.setMenu(buttons);
  }

  setFollowers(openids: readonly string[]): void {
    this.followers.setFollowers(openids);
  }

  remark(openid: string): string {
    return this.followers.remark(openid);
  }

  get tags(): readonly FixtureTag[] {
    return this.followers.tags;
  }

  get blacklist(): readonly string[] {
    return this.followers.blacklist;
  }

  get subscribeTemplates(): readonly FixtureSubscribeTemplate[] {
    return this.subscribeDomain.templates;
  }

  addSubscribeTemplate(tid?: string, kidList?: readonly number[]): string {
    return this.subscribeDomain.addTemplate(tid, kidList);
  }

  refuseSubscription(openid: string): void {
    this.subscribeDomain.refuseSubscription(openid);
  }

  draft(mediaId: string): Record<string, unknown>[] | undefined {
    return this.draftsDomain.draft(mediaId);
  }

  get publications(): readonly FixturePublication[] {
    return this.draftsDomain.published;
  }

  reset(): void {
    for (const domain of this.domains) domain.reset();
    this.oauth.reset();
    this.counts = new Map();
    this.records = new Map();
    this.injections = new Map();
    this.tokens = new Map();
    this.tokenList = [];
    this.qrCodes = [];
    this.users = new Map();
    this.stable = new Map();
    this.appCounts = new Map();
    this.nextMsgId = this.firstMsgId;
  }

  async close(): Promise<void> {
    for (const timer of this.pendingDelays) clearTimeout(timer);
    this.pendingDelays.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------------------------------------

  private injectionsOf(path: string): Injections {
    let injections = this.injections.get(path);
    if (!injections) {
      injections = { errors: [], delays: [], resets: 0, responses: [] };
      this.injections.set(path, injections);
    }
    return injections;
  }

  private take<T extends { remaining: number }>(list: T[]): T | undefined {
    const first = list[0];
    if (!first) return undefined;
    first.remaining--;
    if (first.remaining <= 0) list.shift();
    return first;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const path = url.pathname;
    this.counts.set(path, (this.counts.get(path) ?? 0) + 1);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown;
    try {
      body = raw === '' ? undefined : (JSON.parse(raw) as unknown);
    } catch {
      body = undefined;
    }
    const query = Object.fromEntries(url.searchParams);
    const appId = this.appIdOf(query, body);
    if (appId !== undefined) {
      const key = `${appId} ${path}`;
      this.appCounts.set(key, (this.appCounts.get(key) ?? 0) + 1);
    }
    const list = this.records.get(path) ?? [];
    list.push({ raw, body, query });
    this.records.set(path, list);

    const injections = this.injections.get(path);
    const delay = injections && this.take(injections.delays);
    if (delay) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.pendingDelays.delete(timer);
          resolve();
        }, delay.ms);
        this.pendingDelays.add(timer);
      });
      if (req.socket.destroyed) return;
    }
    if (injections && injections.resets > 0) {
      injections.resets--;
      req.socket.destroy();
      return;
    }
    const response = injections && this.take(injections.responses);
    if (response) {
      res.writeHead(response.status, { 'Content-Type': response.contentType });
      res.end(response.body);
      return;
    }
    const error = injections && this.take(injections.errors);
    if (error) {
      this.send(res, { errcode: error.errcode, errmsg: `${error.errmsg} rid: ${rid()}` });
      return;
    }

    if (req.method === 'GET' && this.oauth.servePage(url, res)) return;
    try {
      if (req.method === 'POST' && !contentType.startsWith('multipart/') && hasUnicodeEscape(raw)) {
        throw new SandboxApiError(
          40033,
          'invalid charset. please check your request, if include \\uxxxx will create fail!',
        );
      }
      const domain = this.domains.find((d) => d.paths.has(path));
      if (domain) {
        this.authenticate(url.searchParams);
        const answer = await domain.route({
          method: req.method ?? 'GET',
          path,
          query: url.searchParams,
          bytes,
          raw,
          body,
          contentType,
        });
        this.sendAnswer(res, answer);
        return;
      }
      this.sendJson(res, this.route(path, url.searchParams, raw, body));
    } catch (failure: unknown) {
      if (failure instanceof SandboxApiError || failure instanceof SandboxOAuthError) {
        this.send(res, { errcode: failure.errcode, errmsg: `${failure.errmsg} rid: ${rid()}` });
      } else {
        throw failure;
      }
    }
  }

  private send(res: ServerResponse, json: Json): void {
    this.sendJson(res, JSON.stringify(json));
  }

  private sendAnswer(res: ServerResponse, answer: SandboxAnswer): void {
    if (typeof answer === 'object') {
      res.writeHead(200, {
        'Content-Type': answer.contentType,
        'Content-disposition': `attachment; filename="${answer.fileName}"`,
        'Content-Length': String(answer.file.length),
      });
      res.end(answer.file);
      return;
    }
    this.sendJson(res, answer);
  }

  private sendJson(res: ServerResponse, text: string | undefined): void {
    if (text === undefined) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('Not Found');
      return;
    }
    res.writeHead(200, { 'Content-Type': 'application/json; encoding=utf-8' });
    res.end(text);
  }

  /** The account a request is for: the `appid` it names, or the one of its access_token. */
  private appIdOf(query: Record<string, string>, body: unknown): string | undefined {
    if (typeof query.appid === 'string') return query.appid;
    const bodyAppId = (body as { appid?: unknown } | undefined)?.appid;
    if (typeof bodyAppId === 'string') return bodyAppId;
    return query.access_token === undefined
      ? undefined
      : this.tokens.get(query.access_token)?.appId;
  }

  /** The JSON text of a successful answer, `undefined` for an unknown path. */
  private route(
    path: string,
    query: URLSearchParams,
    raw: string,
    body: unknown,
  ): string | undefined {
    switch (path) {
      case TOKEN_PATH:
        this.checkCredentials(query.get('grant_type'), query.get('appid'), query.get('secret'));
        return this.issueClassicToken(query.get('appid') as string);
      case STABLE_TOKEN_PATH: {
        const json = this.jsonBody(raw, body);
        this.checkCredentials(json.grant_type, json.appid, json.secret);
        return this.stableToken(json.appid as string, json.force_refresh === true);
      }
      case '/cgi-bin/message/template/send':
        return this.templateSend(this.authenticate(query), this.jsonBody(raw, body));
      case '/cgi-bin/qrcode/create':
        return this.qrcodeCreate(this.authenticate(query), this.jsonBody(raw, body));
      case '/cgi-bin/user/info':
        this.authenticate(query);
        return JSON.stringify(this.userInfo(query.get('openid'), query.get('lang') ?? 'zh_CN'));
      case '/cgi-bin/user/info/batchget':
        this.authenticate(query);
        return this.batchGet(this.jsonBody(raw, body));
      case '/cgi-bin/message/custom/send':
        this.authenticate(query);
        return this.customSend(this.jsonBody(raw, body));
      default:
        return this.oauth.route(path, query, () => this.authenticate(query));
    }
  }

  private jsonBody(raw: string, body: unknown): Json {
    return jsonBody({ raw, body });
  }

  private checkCredentials(grantType: unknown, appid: unknown, secret: unknown): void {
    if (grantType !== 'client_credential') throw new SandboxApiError(40002, 'invalid grant_type');
    const expected = typeof appid === 'string' ? this.secrets.get(appid) : undefined;
    if (expected === undefined) throw new SandboxApiError(40013, 'invalid appid');
    if (secret !== expected) throw new SandboxApiError(40125, 'invalid appsecret');
  }

  private issue(
    appId: string,
    kind: 'token' | 'stable',
    expiresInSeconds: number,
  ): MutableTokenInfo {
    const now = Date.now();
    this.tokenSeq++;
    const token = `${90 + (this.tokenSeq % 10)}_${randomBytes(96).toString('base64url')}`;
    const info: MutableTokenInfo = {
      token,
      appId,
      kind,
      issuedAt: now,
      expiresAt: now + expiresInSeconds * 1000,
    };
    this.tokens.set(token, info);
    this.tokenList.push(token);
    return info;
  }

  private issueClassicToken(appId: string): string {
    const invalidAt = Date.now() + this.tokenOverlapMs;
    for (const info of this.tokens.values()) {
      if (
        info.kind === 'token' &&
        info.appId === appId &&
        (info.invalidAt === undefined || info.invalidAt > invalidAt)
      ) {
        info.invalidAt = invalidAt;
      }
    }
    const info = this.issue(appId, 'token', this.expiresIn);
    return JSON.stringify({ access_token: info.token, expires_in: this.expiresIn });
  }

  private stableToken(appId: string, forceRefresh: boolean): string {
    const now = Date.now();
    let state = this.stable.get(appId);
    if (!state) {
      state = newStableState();
      this.stable.set(appId, state);
    }
    if (forceRefresh) {
      if (now - state.lastForceRefreshAt < this.forceRefreshIntervalMs) {
        throw new SandboxApiError(
          45011,
          'api minute-quota reach limit  mustslower  retry next minute',
        );
      }
      state.lastForceRefreshAt = now;
      if (state.current && state.current.invalidAt === undefined) {
        state.current.invalidAt = now;
      }
      state.current = this.issue(appId, 'stable', this.stableExpiresIn);
      state.stuck = false;
    } else {
      const current = state.current;
      const usable =
        current !== undefined &&
        current.expiresAt - now > this.stableRotateBeforeMs &&
        (state.stuck || current.invalidAt === undefined || current.invalidAt > now);
      if (!usable) {
        state.current = this.issue(appId, 'stable', this.stableExpiresIn);
        state.stuck = false;
      }
    }
    const current = state.current as MutableTokenInfo;
    return JSON.stringify({
      access_token: current.token,
      expires_in: Math.floor((current.expiresAt - now) / 1000),
    });
  }

  private authenticate(query: URLSearchParams): MutableTokenInfo {
    const token = query.get('access_token');
    if (!token) throw new SandboxApiError(41001, 'access_token missing');
    const info = this.tokens.get(token);
    const now = Date.now();
    if (!info || (info.invalidAt !== undefined && now >= info.invalidAt)) {
      throw new SandboxApiError(40001, 'invalid credential, access_token is invalid or not latest');
    }
    if (now >= info.expiresAt) throw new SandboxApiError(42001, 'access_token expired');
    return info;
  }

  private templateSend(_token: MutableTokenInfo, body: Json): string {
    if (typeof body.touser !== 'string' || !OPENID_PATTERN.test(body.touser)) {
      throw new SandboxApiError(40003, 'invalid openid');
    }
    if (typeof body.template_id !== 'string' || body.template_id === '') {
      throw new SandboxApiError(40037, 'invalid template_id');
    }
    if (typeof body.data !== 'object' || body.data === null) {
      throw new SandboxApiError(47001, 'data format error');
    }
    const msgid = this.nextMsgId++;
    return `{"errcode":0,"errmsg":"ok","msgid":${msgid.toString()}}`;
  }

  private qrcodeCreate(_token: MutableTokenInfo, body: Json): string {
    const action = body.action_name;
    if (typeof action !== 'string' || !QR_ACTIONS.includes(action)) {
      throw new SandboxApiError(40053, 'invalid action info: action_name');
    }
    const scene = (body.action_info as { scene?: Json } | undefined)?.scene;
    if (typeof scene !== 'object' || scene === null) {
      throw new SandboxApiError(40053, 'invalid action info: scene');
    }
    const permanent = action.startsWith('QR_LIMIT');
    let sceneId: number | undefined;
    let sceneStr: string | undefined;
    if (action.endsWith('STR_SCENE')) {
      const value = scene.scene_str;
      if (typeof value !== 'string' || value.length < 1 || value.length > 64) {
        throw new SandboxApiError(40053, 'invalid action info: scene_str');
      }
      sceneStr = value;
    } else {
      const value = scene.scene_id;
      const valid = permanent
        ? Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 100_000
        : isInt32(value) && value !== 0;
      if (!valid) throw new SandboxApiError(40053, 'invalid action info: scene_id');
      sceneId = value as number;
    }
    let expireSeconds: number | undefined;
    if (!permanent) {
      const requested = body.expire_seconds;
      if (requested === undefined) {
        expireSeconds = 60;
      } else if (
        Number.isInteger(requested) &&
        (requested as number) >= 60 &&
        (requested as number) <= 2_592_000
      ) {
        expireSeconds = requested as number;
      } else {
        throw new SandboxApiError(40053, 'invalid action info: expire_seconds');
      }
    }
    const qr: FixtureQRCode = {
      ticket: newTicket(),
      url: `http://weixin.qq.com/q/${randomBytes(15).toString('base64url')}`,
      actionName: action,
      sceneId,
      sceneStr,
      expireSeconds,
    };
    this.qrCodes.push(qr);
    return JSON.stringify(
      expireSeconds === undefined
        ? { ticket: qr.ticket, url: qr.url }
        : { ticket: qr.ticket, expire_seconds: expireSeconds, url: qr.url },
    );
  }

  private userInfo(openid: unknown, lang: unknown): Json {
    if (typeof openid !== 'string' || !OPENID_PATTERN.test(openid)) {
      throw new SandboxApiError(40003, 'invalid openid');
    }
    if (typeof lang !== 'string' || !LANGS.includes(lang)) {
      throw new SandboxApiError(40005, 'invalid lang');
    }
    const known = this.users.get(openid);
    if (known) return known.subscribe === 0 ? { subscribe: 0, openid, ...known } : { ...known };
    return {
      subscribe: 1,
      openid,
      language: lang,
      subscribe_time: 1_700_000_000,
      remark: '',
      groupid: 0,
      tagid_list: [],
      subscribe_scene: 'ADD_SCENE_QR_CODE',
      qr_scene: 0,
      qr_scene_str: '',
    };
  }

  private batchGet(body: Json): string {
    const list = body.user_list;
    if (!Array.isArray(list) || list.length < 1 || list.length > 100) {
      throw new SandboxApiError(40032, 'invalid openid list size');
    }
    const users = list.map((entry: unknown) => {
      const item = (entry ?? {}) as Json;
      return this.userInfo(item.openid, item.lang ?? 'zh_CN');
    });
    return JSON.stringify({ user_info_list: users });
  }

  private customSend(body: Json): string {
    if (typeof body.touser !== 'string' || !OPENID_PATTERN.test(body.touser)) {
      throw new SandboxApiError(40003, 'invalid openid');
    }
    const msgtype = body.msgtype;
    if (typeof msgtype !== 'string' || !CUSTOM_MSGTYPES.includes(msgtype)) {
      throw new SandboxApiError(40008, 'invalid message type');
    }
    const payload = body[msgtype];
    if (typeof payload !== 'object' || payload === null) {
      throw new SandboxApiError(47001, 'data format error');
    }
    if (msgtype === 'text' && !(payload as Json).content) {
      throw new SandboxApiError(44003, 'empty news data');
    }
    return JSON.stringify({ errcode: 0, errmsg: 'ok' });
  }
}

/** Starts a {@link WechatApiServer} on 127.0.0.1 and a free port. Close it with `close()`. */
export async function startWechatApiServer(
  options: WechatApiServerOptions = {},
): Promise<WechatApiServer> {
  const server = new FixtureServer(options);
  await server.listen();
  return server;
}
