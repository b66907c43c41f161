// The child side of processes.ts#runScript: wait for `start`, run, answer `result` or `error`.
export function serveScript<I, R>(run: (input: I) => Promise<R>): void {
  process.once('message', (message: { type?: string; input?: I }) => {
    if (message?.type !== 'start') return;
    run(message.input as I).then(
      (result) => process.send?.({ type: 'result', result }),
      (error: unknown) =>
        process.send?.({
          type: 'error',
          error: error instanceof Error ? (error.stack ?? error.message) : String(error),
        }),
    );
  });
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
