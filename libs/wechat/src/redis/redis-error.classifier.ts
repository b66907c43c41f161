/**
 * What a Redis failure means for a store that may retry it:
 * - `transient`: a state that passes by itself (a failover, a slot being migrated, a connection
 *   being re-established, Redis loading its data): retry within the caller's budget;
 * - `cross-slot`: the keys of one command are in different hash slots: a bug or a `keyPrefix`
 *   that breaks the key schema, never an outage;
 * - `wrong-type`: a key holds a value of another type: something else writes under the prefix;
 * - `other`: anything else (treated as the store being unavailable).
 */
export type RedisErrorKind = 'transient' | 'cross-slot' | 'wrong-type' | 'other';

/** Redis error replies (their first word) that a cluster or a replica answers while it recovers. */
const TRANSIENT_REPLIES = /^(TRYAGAIN|CLUSTERDOWN|LOADING|MASTERDOWN|READONLY|BUSY|NOREPLICAS)\b/;

/** ioredis's and Node's words for a connection that is down or being re-established. */
const TRANSIENT_CONNECTION = [
  'Connection is closed',
  "Stream isn't writeable",
  'Reached the max retries per request limit',
  'Failed to refresh slots cache',
  "Cluster isn't ready",
  'Too many Cluster redirections',
  'None of startup nodes is available',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
];

/** Classifies an error thrown by an ioredis command (from any realm, so by its message). */
export function classifyRedisError(error: unknown): RedisErrorKind {
  const message = messageOf(error);
  if (message.startsWith('CROSSSLOT')) return 'cross-slot';
  if (message.startsWith('WRONGTYPE')) return 'wrong-type';
  if (TRANSIENT_REPLIES.test(message)) return 'transient';
  if (TRANSIENT_CONNECTION.some((words) => message.includes(words))) return 'transient';
  return 'other';
}

/** The message of an error from any realm (ioredis and Node errors may not share our `Error`). */
export function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
