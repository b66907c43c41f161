/**
 * Loads an optional peer dependency, or returns `undefined` when it (or a package it needs) is not
 * installed. Any other failure while loading it is rethrown. Called only where the peer is needed,
 * never when the library itself is loaded, so an app without the peer never requires it.
 */
export function loadOptionalPeer<T>(name: string): T | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on demand, optional
    return require(name) as T;
  } catch (error: unknown) {
    if ((error as { code?: unknown } | null)?.code === 'MODULE_NOT_FOUND') return undefined;
    throw error;
  }
}
