import { randomBytes } from 'node:crypto';
import { MsgCrypt } from '../core/msg-crypt';
import { parseWechatXml } from '../core/wechat-message.parser';
import type { WechatXmlValue } from '../core/wechat-message.interfaces';
import { computeSignature } from '../core/wechat-signature';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import { WECHAT_ACCOUNTS, WECHAT_OPTIONS } from '../wechat.constants';

/** What the simulator reads of the module's account registry. */
interface AccountsLookup {
  find(nameOrAppId: string): { readonly options: ResolvedWechatOptions } | undefined;
}

/** How a push is delivered: WeChat's three message modes (protocol.md §2.1). */
export type WechatPushMode = 'plaintext' | 'compatible' | 'safe';

/** Credentials the simulator signs and encrypts with: the same ones the app under test uses. */
export interface WechatPushSimulatorOptions {
  token: string;
  appId: string;
  /** Needed for the compatible and safe modes. */
  encodingAESKey?: string;
  /** The account's original id used as `ToUserName`. Default `gh_0123456789ab`. */
  accountId?: string;
  /** The sender used when a push names none. Default `o_sandbox_user`. */
  openId?: string;
}

/** Field values of a push; numbers are written without CDATA. */
export type WechatPushFields = Record<string, string | number>;

/** A signed (and, in the encrypted modes, encrypted) push, ready to send. */
export interface SignedWechatPush {
  /** Query parameters exactly as WeChat sends them. */
  readonly query: Record<string, string>;
  /** The query string, without `?`. */
  readonly search: string;
  /** The XML body. */
  readonly body: string;
  /** The plain XML inside (the same as `body` in plaintext mode). */
  readonly plainXml: string;
}

/** A reply read back the way WeChat reads it. */
export interface WechatReadReply {
  /** `success`, `''` or the (decrypted) reply XML. */
  readonly xml: string;
  /** Whether the reply came encrypted. */
  readonly encrypted: boolean;
  /** The reply's fields; empty for `success` and the empty reply. */
  readonly fields: Record<string, WechatXmlValue>;
}

/** What {@link WechatPushSimulator.deliver} got back from a callback URL. */
export interface WechatDelivery {
  /** HTTP status of the answer. */
  readonly status: number;
  /** The raw answer body. */
  readonly body: string;
  /** The reply read as WeChat reads it (`undefined` unless the status is 200). */
  readonly reply?: WechatReadReply;
}

/** Anything that can hand out the module's resolved options, e.g. an `INestApplication`. */
export interface WechatOptionsHost {
  get<T = unknown>(token: symbol): T;
}

/** Thrown when a reply is not what WeChat would accept. */
export class WechatReplyCheckError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WechatReplyCheckError';
  }
}

/**
 * Does what WeChat's servers do to a callback URL, for tests and local development: builds pushes
 * in plaintext, compatible and safe mode, signs them, encrypts them, and reads the replies back
 * (checking the reply's `MsgSignature` and decrypting it) exactly as WeChat would.
 */
export class WechatPushSimulator {
  private readonly crypt: MsgCrypt | undefined;
  readonly accountId: string;
  readonly openId: string;
  private nextMsgId = firstMsgId();

  constructor(private readonly options: WechatPushSimulatorOptions) {
    this.crypt = options.encodingAESKey
      ? new MsgCrypt({
          token: options.token,
          encodingAESKey: options.encodingAESKey,
          appId: options.appId,
        })
      : undefined;
    this.accountId = options.accountId ?? 'gh_0123456789ab';
    this.openId = options.openId ?? 'o_sandbox_user';
  }

  /**
   * A simulator with the credentials of a running app (its `WechatModule` options), e.g.
   * `WechatPushSimulator.fromApp(app)` in a host app's e2e test; `{ account: 'shop' }` signs and
   * encrypts as WeChat does for that account (deliver to `/<path>/shop`), default: the default
   * account.
   */
  static fromApp(
    app: WechatOptionsHost,
    extra: Pick<WechatPushSimulatorOptions, 'accountId' | 'openId'> & { account?: string } = {},
  ): WechatPushSimulator {
    const { account, ...rest } = extra;
    let options: ResolvedWechatOptions;
    if (account === undefined) {
      options = app.get<ResolvedWechatOptions>(WECHAT_OPTIONS);
    } else {
      const found = app.get<AccountsLookup>(WECHAT_ACCOUNTS).find(account);
      if (!found) throw new WechatReplyCheckError(`the app has no account "${account}"`);
      options = found.options;
    }
    if (!options.token) {
      throw new WechatReplyCheckError('the app has no callback token configured');
    }
    return new WechatPushSimulator({
      token: options.token,
      appId: options.appId,
      encodingAESKey: options.encodingAESKey,
      ...rest,
    });
  }

  /**
   * Signs (and encrypts) a push, POSTs it to `callbackUrl` as WeChat does (`text/xml`), and reads
   * the reply back, e.g. `await sim.deliver(url, sim.event('subscribe'), 'safe')`.
   *
   * @throws WechatReplyCheckError when a 200 reply would be refused by WeChat.
   */
  async deliver(
    callbackUrl: string,
    fields: WechatPushFields,
    mode: WechatPushMode = 'plaintext',
  ): Promise<WechatDelivery> {
    const push = this.sign(fields, mode);
    const url = new URL(callbackUrl);
    for (const [name, value] of Object.entries(push.query)) url.searchParams.set(name, value);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'text/xml' },
      body: push.body,
      signal: AbortSignal.timeout(10_000),
    });
    const body = await response.text();
    if (response.status !== 200) return { status: response.status, body };
    return { status: response.status, body, reply: await this.readReply(body) };
  }

  /** The fields of a text message from `openId` (a `MsgId` this simulator never gave before). */
  text(content: string, extra: WechatPushFields = {}): WechatPushFields {
    return this.header('text', {
      Content: content,
      MsgId: (this.nextMsgId++).toString(),
      ...extra,
    });
  }

  /** The fields of an event push, e.g. `event('SCAN', { EventKey: 'scene', Ticket: 't' })`. */
  event(event: string, extra: WechatPushFields = {}): WechatPushFields {
    return this.header('event', { Event: event, ...extra });
  }

  /** The common header plus the given fields. */
  header(msgType: string, extra: WechatPushFields = {}): WechatPushFields {
    return {
      ToUserName: this.accountId,
      FromUserName: this.openId,
      CreateTime: Math.floor(Date.now() / 1000),
      MsgType: msgType,
      ...extra,
    };
  }

  /** Signs (and encrypts, in the compatible and safe modes) a push. */
  sign(
    fields: WechatPushFields,
    mode: WechatPushMode = 'plaintext',
    at: { timestamp?: string; nonce?: string } = {},
  ): SignedWechatPush {
    return this.signXml(toPushXml(fields), mode, { ...at, toUserName: String(fields.ToUserName) });
  }

  /** Like {@link sign}, for an XML body written by hand. */
  signXml(
    plainXml: string,
    mode: WechatPushMode = 'plaintext',
    at: { timestamp?: string; nonce?: string; toUserName?: string } = {},
  ): SignedWechatPush {
    const timestamp = at.timestamp ?? String(Math.floor(Date.now() / 1000));
    const nonce = at.nonce ?? String(randomBytes(4).readUInt32BE(0));
    const query: Record<string, string> = {
      signature: computeSignature(this.options.token, timestamp, nonce),
      timestamp,
      nonce,
      openid: this.openId,
    };
    let body = plainXml;
    if (mode !== 'plaintext') {
      const encrypt = this.requireCrypt().encrypt(plainXml);
      query.encrypt_type = 'aes';
      query.msg_signature = computeSignature(this.options.token, timestamp, nonce, encrypt);
      const envelope = `<ToUserName><![CDATA[${at.toUserName ?? this.accountId}]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt>`;
      body =
        mode === 'safe'
          ? `<xml>${envelope}</xml>`
          : plainXml.replace(/<\/xml>\s*$/, `<Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`);
    }
    return { query, search: new URLSearchParams(query).toString(), body, plainXml };
  }

  /** The query of WeChat's URL verification GET (plain `echostr`, as for every Official Account). */
  verification(echostr: string, at: { timestamp?: string; nonce?: string } = {}): string {
    const timestamp = at.timestamp ?? String(Math.floor(Date.now() / 1000));
    const nonce = at.nonce ?? String(randomBytes(4).readUInt32BE(0));
    const signature = computeSignature(this.options.token, timestamp, nonce);
    return new URLSearchParams({ signature, timestamp, nonce, echostr }).toString();
  }

  /**
   * Reads a reply as WeChat would: `success` and `''` as they are; an encrypted envelope is checked
   * (its `MsgSignature` over its own `TimeStamp` and `Nonce`) and decrypted.
   *
   * @throws WechatReplyCheckError when the reply would be refused by WeChat.
   */
  async readReply(body: string): Promise<WechatReadReply> {
    if (body === 'success' || body === '') return { xml: body, encrypted: false, fields: {} };
    const outer = await parseWechatXml(body);
    if (typeof outer.Encrypt !== 'string') {
      return { xml: body, encrypted: false, fields: outer };
    }
    const { Encrypt, MsgSignature, TimeStamp, Nonce } = outer;
    const crypt = this.requireCrypt();
    let xml: string;
    try {
      xml = crypt.decrypt(MsgSignature, TimeStamp, Nonce, Encrypt).message;
    } catch (error: unknown) {
      throw new WechatReplyCheckError(`encrypted reply refused: ${(error as Error).message}`);
    }
    return { xml, encrypted: true, fields: await parseWechatXml(xml) };
  }

  private requireCrypt(): MsgCrypt {
    if (!this.crypt) {
      throw new WechatReplyCheckError(
        'this simulator has no encodingAESKey: encrypted modes need one',
      );
    }
    return this.crypt;
  }
}

/** Renders push fields as WeChat does: strings in CDATA, numbers bare. */
export function toPushXml(fields: WechatPushFields): string {
  let xml = '<xml>';
  for (const [name, value] of Object.entries(fields)) {
    xml +=
      typeof value === 'number'
        ? `<${name}>${value}</${name}>`
        : `<${name}><![CDATA[${value.split(']]>').join(']]]]><![CDATA[>')}]]></${name}>`;
  }
  return `${xml}</xml>`;
}

/**
 * The first `MsgId` of a simulator: a random 56-bit number, so simulators (in any process) start
 * far apart, and one simulator's ids never repeat (it counts up from here).
 */
function firstMsgId(): bigint {
  return BigInt(`0x${randomBytes(7).toString('hex')}`) + 1n;
}
