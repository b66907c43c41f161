// Protocol core: signatures, safe-mode crypto, push XML parsing and reply XML. No Nest imports.
export * from './wechat-signature';
export * from './msg-crypt';
export * from './wechat-message.interfaces';
export * from './wechat-message.guards';
export * from './wechat-message.mapper';
export {
  DEFAULT_MAX_XML_BYTES,
  hasEncryptElement,
  parseEncryptedEnvelope,
  parseWechatMessage,
  parseWechatXml,
  type ParseWechatXmlOptions,
  type WechatEncryptedEnvelope,
} from './wechat-message.parser';
export * from './wechat-xml.reader';
export * from './wechat-reply.interfaces';
export * from './wechat-reply.builder';
export * from './xml-text';
export * from '../errors/wechat-crypto.error';
export * from '../errors/wechat-xml.error';
export * from '../errors/wechat-reply.error';
export * from './jssdk-signature';
