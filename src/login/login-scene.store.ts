import { Injectable } from '@nestjs/common';
import type { WechatUserInfo } from '@app/wechat';
import { DemoKvStore } from '../redis/demo-kv.store';

/** The state of one "scan to log in" scene. */
export interface LoginScene {
  /** The account that issued the scene. */
  readonly account?: string;
  readonly expiresAt: number;
  readonly openId?: string;
  readonly user?: WechatUserInfo;
}

/** How long a scene's record outlives its QR code, so the page can still be told "expired". */
const GRACE_MS = 10 * 60 * 1000;

/**
 * Where login scenes live (`demo:login:<scene>`, in the demo's Redis or memory): a record is kept
 * for the QR code's lifetime plus a grace period.
 */
@Injectable()
export class LoginSceneStore {
  constructor(private readonly kv: DemoKvStore) {}

  save(sceneId: string, scene: LoginScene): Promise<void> {
    return this.kv.set(
      this.key(sceneId),
      scene,
      Math.max(scene.expiresAt - Date.now(), 0) + GRACE_MS,
    );
  }

  get(sceneId: string): Promise<LoginScene | undefined> {
    return this.kv.get<LoginScene>(this.key(sceneId));
  }

  private key(sceneId: string): string {
    return `demo:login:${sceneId}`;
  }
}
