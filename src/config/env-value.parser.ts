import { DemoEnvError } from './demo-env.error';

/**
 * The number a variable's text spells: a decimal number (`12`, `-3`, `1.5`), else `NaN`, which the
 * validation after it refuses with what the option accepts. `Number()` alone would read `''` as 0
 * and `0x10` as 16.
 */
export function numberFromEnv(text: string): number {
  const trimmed = text.trim();
  return /^[+-]?\d+(\.\d+)?$/.test(trimmed) ? Number(trimmed) : Number.NaN;
}

/** `true` or `false` (any case); anything else stops start-up with a {@link DemoEnvError}. */
export function booleanFromEnv(variable: string, text: string): boolean {
  const value = text.trim().toLowerCase();
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new DemoEnvError(
    variable,
    `${variable} must be true or false (got ${JSON.stringify(text)}).`,
  );
}

/** The text of `variable` in `env`, or `undefined` when it is unset or empty. */
export function envText(
  env: Readonly<Record<string, string | undefined>>,
  variable: string,
): string | undefined {
  const text = env[variable];
  return text === undefined || text === '' ? undefined : text;
}
