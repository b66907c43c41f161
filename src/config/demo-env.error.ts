/**
 * A variable of the demo's environment (or its `.env` file) that the demo cannot start with. The
 * message names the variable and what it accepts; it repeats the value only for variables that are
 * not secrets.
 */
export class DemoEnvError extends Error {
  readonly code = 'DEMO_ENV';
  override readonly name = 'DemoEnvError';

  /**
   * @param variable the variable the message is about (the first one, when it names several).
   * @param detail what is wrong and what it accepts, starting with the variable's name.
   */
  constructor(
    readonly variable: string | undefined,
    detail: string,
    options?: ErrorOptions,
  ) {
    super(detail, options);
  }
}
