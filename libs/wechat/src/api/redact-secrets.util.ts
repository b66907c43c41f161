/**
 * Replaces every occurrence of the given secrets (AppSecret, access tokens) with `***`, so that
 * nothing WeChat or a driver echoes back can leak them into an error message or a log line.
 * Values shorter than 4 characters are ignored (they would mangle ordinary text).
 */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join('***');
  }
  return result;
}
