import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { MsgCryptKeyId } from '../core/msg-crypt';
import type { WechatMessage } from '../core/wechat-message.interfaces';
import { toWechatMessage } from '../core/wechat-message.mapper';
import { hasEncryptElement, readWechatXmlFields } from '../core/wechat-message.parser';
import type { WechatXmlFields } from '../core/wechat-message.interfaces';
import { buildReplyXml } from '../core/wechat-reply.builder';
import type { WechatReply } from '../core/wechat-reply.interfaces';
import type { WechatAccount } from '../accounts/wechat-account';
import { WechatAccounts } from '../accounts/wechat-accounts.registry';
import { WechatLateReplySender } from '../dedup/late-reply.sender';
import { pushDedupKey } from '../dedup/push-dedup.key';
import {
  SUCCESS_ANSWER,
  WechatPushDeduplicator,
  type PushOutcome,
} from '../dedup/wechat-push.deduplicator';
import { WechatDispatcher, describePush } from '../discovery/wechat.dispatcher';
import { WechatCryptoError } from '../errors/wechat-crypto.error';
import { WechatError } from '../errors/wechat.error';
import type { ResolvedWechatOptions } from '../interfaces/resolved-wechat-options.interface';
import type { WechatContext } from '../interfaces/wechat-handler.interfaces';
import type { PushTelemetry } from '../telemetry/push.telemetry';
import { WECHAT_OPTIONS } from '../wechat.constants';
import { WECHAT_HTTP_MESSAGES } from '../wechat.messages';
import type { WechatCallbackQuery } from './wechat-signature.guard';

/** What the callback endpoint answers to a push. */
export interface WechatPushResponse {
  readonly body: string;
  readonly contentType: string;
}

/** The plain answer that stops WeChat's retries and needs no encryption. */
export const SUCCESS_RESPONSE: WechatPushResponse = SUCCESS_ANSWER;
const XML_CONTENT_TYPE = 'application/xml; charset=utf-8';

interface DecodedPush {
  readonly account: WechatAccount;
  readonly message: WechatMessage;
  readonly xml: string;
  readonly encrypted: boolean;
  readonly keyId?: MsgCryptKeyId;
}

/**
 * Turns one verified POST into its answer: detects the mode (plaintext, compatible, safe), decrypts,
 * parses the typed message, runs the handlers and renders (and, for an encrypted push, encrypts)
 * the reply, all with the keys of the account the push was sent to. Bad input becomes a 4xx
 * `HttpException`; nothing here answers 5xx.
 */
@Injectable()
export class WechatPushService {
  private readonly logger = new Logger('WechatModule');
  private readonly parseOptions: { readonly maxBytes: number };

  constructor(
    private readonly accounts: WechatAccounts,
    private readonly dispatcher: WechatDispatcher,
    private readonly deduplicator: WechatPushDeduplicator,
    private readonly lateReplies: WechatLateReplySender,
    @Inject(WECHAT_OPTIONS) private readonly options: ResolvedWechatOptions,
  ) {
    this.parseOptions = { maxBytes: options.maxBodyBytes };
  }

  /**
   * Handles one push to `account` (default: the default account) whose query string the guard
   * has verified. WeChat's retries of a push are handled once and answered alike (see
   * {@link WechatPushDeduplicator}).
   *
   * @param receivedAt `Date.now()` when the request arrived: the reply deadline
   * (`replyTimeoutMs`) counts from there, not from the end of the body. Default now.
   */
  async handle(
    query: WechatCallbackQuery,
    body: Buffer,
    receivedAt: number = Date.now(),
    account: WechatAccount | undefined = this.accounts.defaultAccount,
    telemetry?: PushTelemetry,
  ): Promise<WechatPushResponse> {
    if (!account) throw new NotFoundException(WECHAT_HTTP_MESSAGES.unknownAccount);
    const push = await this.decode(query, body, account);
    const { message } = push;
    telemetry?.decoded(message, push.encrypted, account.name);
    const work = (): Promise<PushOutcome<WechatReply>> => this.process(push, query);
    return this.deduplicator.run<WechatReply>(
      pushDedupKey(account.appId, message),
      telemetry ? telemetry.handling(work) : work,
      (reply) =>
        this.lateReplies.send(message.FromUserName, reply, describePush(message), account.client),
      receivedAt,
    );
  }

  private async process(
    push: DecodedPush,
    query: WechatCallbackQuery,
  ): Promise<PushOutcome<WechatReply>> {
    const context: WechatContext = {
      account: push.account.name,
      openId: push.message.FromUserName,
      accountId: push.message.ToUserName,
      appId: push.account.appId,
      encrypted: push.encrypted,
      rawXml: push.xml,
    };
    const { reply, failed } = await this.dispatcher.dispatch(push.message, context);
    const response = reply ? this.render(reply, push, query) : SUCCESS_RESPONSE;
    return { response, reply, failed };
  }

  private async decode(
    query: WechatCallbackQuery,
    body: Buffer,
    account: WechatAccount,
  ): Promise<DecodedPush> {
    const { crypt } = account;
    try {
      // Flat pushes (nearly all) parse without a promise: no await for them.
      const parsed = this.parseFields(body);
      const fields = parsed instanceof Promise ? await parsed : parsed;
      const encrypted = query.encrypt_type === 'aes' || hasEncryptElement(fields);
      if (!encrypted) {
        if (account.options.requireEncryption && crypt.isEncryptionEnabled) {
          throw new ForbiddenException(WECHAT_HTTP_MESSAGES.encryptionRequired);
        }
        // Parsed once: the fields read for mode detection are the message.
        const message = toWechatMessage(fields);
        return { account, message, xml: body.toString('utf8'), encrypted };
      }
      if (!crypt.isEncryptionEnabled) {
        this.logger.error(
          'Received an encrypted push but no encodingAESKey is configured; refusing it',
        );
        throw new BadRequestException(WECHAT_HTTP_MESSAGES.badPush);
      }
      const { message: xml, keyId } = crypt.decrypt(
        query.msg_signature,
        query.timestamp,
        query.nonce,
        fields.Encrypt,
      );
      const inner = this.parseFields(xml);
      const message = toWechatMessage(inner instanceof Promise ? await inner : inner);
      return { account, message, xml, encrypted, keyId };
    } catch (error: unknown) {
      throw this.toHttpError(error);
    }
  }

  private render(
    reply: WechatReply,
    push: DecodedPush,
    query: WechatCallbackQuery,
  ): WechatPushResponse {
    let xml: string;
    try {
      xml = buildReplyXml(reply, push.message);
    } catch (error: unknown) {
      this.logger.error(
        `Reply to push ${describePush(push.message)} could not be built (${errorName(error)}); answering success`,
      );
      return SUCCESS_RESPONSE;
    }
    if (!push.encrypted) return { body: xml, contentType: XML_CONTENT_TYPE };
    const nonce = typeof query.nonce === 'string' ? query.nonce : '';
    const envelope = push.account.crypt.encryptReply(xml, { nonce, keyId: push.keyId });
    return { body: envelope.xml, contentType: XML_CONTENT_TYPE };
  }

  /** The fields of a push body: flat pushes (nearly all) without a promise, others by xml2js. */
  private parseFields(xml: string | Buffer): WechatXmlFields | Promise<WechatXmlFields> {
    return readWechatXmlFields(xml, this.parseOptions);
  }

  private toHttpError(error: unknown): HttpException {
    if (error instanceof HttpException) return error;
    if (error instanceof WechatCryptoError) {
      this.logger.warn(`Refused a WeChat push: ${error.reason}`);
      return error.reason === 'BAD_SIGNATURE'
        ? new ForbiddenException(WECHAT_HTTP_MESSAGES.invalidSignature, { cause: error })
        : new BadRequestException(WECHAT_HTTP_MESSAGES.badPush, { cause: error });
    }
    if (error instanceof WechatError) {
      this.logger.warn(`Refused a WeChat push: ${error.code}${reasonOf(error)}`);
      return new BadRequestException(WECHAT_HTTP_MESSAGES.badPush);
    }
    this.logger.warn(`Refused a WeChat push: ${errorName(error)}`);
    return new BadRequestException(WECHAT_HTTP_MESSAGES.badPush);
  }
}

function reasonOf(error: WechatError): string {
  const reason = (error as { reason?: unknown }).reason;
  return typeof reason === 'string' ? ` ${reason}` : '';
}

function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
