import Redis, { Cluster } from 'ioredis';

/** Where the module's own Redis is, when not at `redisUrl`. */
export type CallbackInstanceStore =
  | { readonly url: string }
  | { readonly cluster: readonly { host: string; port: number }[] }
  | { readonly sentinels: readonly { host: string; port: number }[]; readonly name: string };

/** The module's client for `store`, with the options the package README recommends. */
export function storeClient(store: CallbackInstanceStore): Redis | Cluster {
  if ('cluster' in store) {
    return new Cluster([...store.cluster], { redisOptions: { maxRetriesPerRequest: 1 } });
  }
  if ('sentinels' in store) {
    return new Redis({
      sentinels: [...store.sentinels],
      name: store.name,
      maxRetriesPerRequest: 1,
    });
  }
  return new Redis(store.url, { maxRetriesPerRequest: 1 });
}
