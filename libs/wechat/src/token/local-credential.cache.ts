import { lifetimeClock } from './credential-lifetime';

interface Entry {
  readonly value: string;
  /** On {@link lifetimeClock}. */
  readonly expiresAt: number;
  /** Settled with `value`: handed out by {@link LocalCredentialCache.current} on every hit. */
  readonly promise: Promise<string>;
}

/** A credential held by this process and when it stops being served (on {@link lifetimeClock}). */
export interface HeldCredential {
  readonly value: string;
  readonly expiresAt: number;
}

/**
 * This process's copy of one credential (an access_token, a ticket, …). The hot path,
 * {@link current}, reads one field and the clock and returns the same settled promise every time,
 * so a cached credential costs no allocation and no I/O; it is never returned after its expiry.
 */
export class LocalCredentialCache {
  private entry: Entry | undefined;

  /** The settled promise of the credential while it lives, else `undefined`. */
  current(): Promise<string> | undefined {
    const entry = this.entry;
    return entry !== undefined && lifetimeClock() < entry.expiresAt ? entry.promise : undefined;
  }

  /** The credential held (live or not), e.g. to keep it out of log lines. */
  get value(): string | undefined {
    return this.entry?.value;
  }

  /** The credential and its expiry while it lives, else `undefined`. */
  held(): HeldCredential | undefined {
    const entry = this.entry;
    return entry !== undefined && lifetimeClock() < entry.expiresAt ? entry : undefined;
  }

  /** Holds `value` until `expiresAt`; keeps the same promise when nothing changed. */
  adopt(value: string, expiresAt: number): void {
    const entry = this.entry;
    if (entry?.value === value && entry.expiresAt === expiresAt) return;
    this.entry = { value, expiresAt, promise: Promise.resolve(value) };
  }

  /** Drops the copy: any copy without `value`, else only if it is that value. */
  forget(value?: string): void {
    if (value === undefined || this.entry?.value === value) this.entry = undefined;
  }
}
