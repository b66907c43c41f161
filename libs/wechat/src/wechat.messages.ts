/** Short bodies of the callback endpoint's refusals (no detail an attacker could use). */
export const WECHAT_HTTP_MESSAGES = {
  missingSignature: 'Missing WeChat signature',
  invalidSignature: 'Invalid WeChat signature',
  staleTimestamp: 'Stale WeChat timestamp',
  bodyTimeout: 'WeChat push body too slow',
  encryptionRequired: 'Encrypted push required',
  badPush: 'Bad WeChat push',
  tooLarge: 'WeChat push too large',
  unreadableBody: 'WeChat push body unreadable',
  unknownAccount: 'Unknown WeChat account',
} as const;

export const MEMORY_STORE_WARNING =
  'No Redis configured: the access_token is cached in this process only. Run a single instance, or pass an ioredis client (or a @liaoliaots/nestjs-redis client name) in the "redis" option so every instance shares one token.';

export const REQUIRE_ENCRYPTION_ADVICE =
  'An EncodingAESKey is configured but plaintext pushes are accepted too (requireEncryption is off), so anyone holding an old signed callback URL can still post plaintext within the replay window. Once the admin console is in safe mode, set requireEncryption: true.';
