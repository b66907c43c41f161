import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DemoKvStore } from '../redis/demo-kv.store';

/** Who is logged in to the demo, as `GET /me` answers. */
export interface DemoSessionUser {
  openId: string;
  unionId?: string;
  nickname?: string;
  /** Avatar URL, when the scope gave one. */
  avatarUrl?: string;
  /** The account the user logged in through. */
  account: string;
  /** How: web authorization or a scanned QR code. */
  via: 'oauth' | 'qrcode';
}

/** A session lives a day. */
const SESSION_TTL_MS = 24 * 60 * 60 * 1000;

/** The demo's sessions (`demo:session:<random id>`), in the demo's Redis or memory. */
@Injectable()
export class DemoSessionStore {
  constructor(private readonly kv: DemoKvStore) {}

  /** Stores a session and returns its id (the cookie's value). */
  async create(user: DemoSessionUser): Promise<string> {
    const id = randomBytes(24).toString('base64url');
    await this.kv.set(this.key(id), user, SESSION_TTL_MS);
    return id;
  }

  get(id: string): Promise<DemoSessionUser | undefined> {
    return this.kv.get<DemoSessionUser>(this.key(id));
  }

  delete(id: string): Promise<void> {
    return this.kv.delete(this.key(id));
  }

  private key(id: string): string {
    return `demo:session:${id}`;
  }
}
