/** A text reply. */
export interface TextReply {
  readonly type: 'text';
  /** The text; newlines are allowed. */
  readonly content: string;
}

/** An image reply (the image must already be uploaded as material). */
export interface ImageReply {
  readonly type: 'image';
  readonly mediaId: string;
}

/** A voice reply. */
export interface VoiceReply {
  readonly type: 'voice';
  readonly mediaId: string;
}

/** A video reply. */
export interface VideoReply {
  readonly type: 'video';
  readonly mediaId: string;
  readonly title?: string;
  readonly description?: string;
}

/** A music reply; only the thumbnail is required. */
export interface MusicReply {
  readonly type: 'music';
  readonly thumbMediaId: string;
  readonly title?: string;
  readonly description?: string;
  readonly musicUrl?: string;
  /** Higher-quality URL, used on Wi-Fi. */
  readonly hqMusicUrl?: string;
}

/** One article of a news reply. */
export interface NewsArticle {
  readonly title: string;
  readonly description?: string;
  readonly picUrl?: string;
  readonly url?: string;
}

/**
 * A news (articles) reply with 1 to 8 articles. Since 2018 WeChat shows only the first article of a
 * reply to a user message; replies to events may show up to 8 (protocol.md §5).
 */
export interface NewsReply {
  readonly type: 'news';
  readonly articles: readonly NewsArticle[];
}

/** Hands the conversation to customer service (only for user messages, never for events). */
export interface TransferCustomerServiceReply {
  readonly type: 'transfer_customer_service';
  /** A specific customer-service account (`name@account`), if any. */
  readonly kfAccount?: string;
}

/** Any passive reply, discriminated by `type` (protocol.md §5). */
export type WechatReply =
  | TextReply
  | ImageReply
  | VoiceReply
  | VideoReply
  | MusicReply
  | NewsReply
  | TransferCustomerServiceReply;

/** The `type` of a reply, which is also its `MsgType`. */
export type WechatReplyType = WechatReply['type'];
