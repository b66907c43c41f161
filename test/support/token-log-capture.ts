/** Everything written to process.stdout / process.stderr while a capture is active. */
export interface OutputCapture {
  /** The text written so far (still passed through to the real streams). */
  text(): string;
  /** Puts the original `write` functions back. */
  restore(): void;
}

/**
 * Records what this process writes to stdout and stderr (Nest's Logger, console.*), so a test can
 * assert that no secret or token was ever logged. Output still reaches the terminal.
 */
export function captureOutput(): OutputCapture {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write);
  streams.forEach((stream, index) => {
    const original = originals[index];
    stream.write = (chunk: unknown, ...rest: unknown[]): boolean => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
      return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
    };
  });
  return {
    text: () => chunks.join(''),
    restore: () => streams.forEach((stream, index) => (stream.write = originals[index])),
  };
}
