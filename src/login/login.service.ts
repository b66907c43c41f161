import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { toDataURL } from 'qrcode';
import { WechatClientService, type WechatUserInfo } from '@app/wechat';
import { LoginSceneStore } from './login-scene.store';

/** Seconds a login QR code stays valid. */
export const LOGIN_QR_EXPIRE_SECONDS = 300;

/** What `POST /login/qrcode` answers. */
export interface LoginQrCode {
  scene: string;
  ticket: string;
  imageUrl: string;
  url: string;
  /** The QR code as a PNG data URL, rendered here from `url` (no call to WeChat's image server). */
  qrImage: string;
  expireSeconds: number;
}

/** What `GET /login/qrcode/:scene` answers. */
export interface LoginStatus {
  status: 'pending' | 'confirmed' | 'expired';
  openId?: string;
  user?: WechatUserInfo;
}

/** "Scan the code to log in": issues scenes and confirms them when the user scans. */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);

  constructor(
    private readonly wechat: WechatClientService,
    private readonly scenes: LoginSceneStore,
  ) {}

  /** Creates a temporary QR code for a fresh random scene. */
  async createQrCode(): Promise<LoginQrCode> {
    const scene = `login_${randomBytes(12).toString('hex')}`;
    const qr = await this.wechat.createQRCode({ scene, expireSeconds: LOGIN_QR_EXPIRE_SECONDS });
    const expireSeconds = qr.expireSeconds ?? LOGIN_QR_EXPIRE_SECONDS;
    await this.scenes.save(scene, { expiresAt: Date.now() + expireSeconds * 1000 });
    const qrImage = await toDataURL(qr.url, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
    return { scene, ticket: qr.ticket, imageUrl: qr.imageUrl, url: qr.url, qrImage, expireSeconds };
  }

  /** The scene's state; 404 for a scene this app never issued. */
  async status(scene: string): Promise<LoginStatus> {
    const record = await this.scenes.get(scene);
    if (!record) throw new NotFoundException('Unknown login scene');
    if (record.openId) return { status: 'confirmed', openId: record.openId, user: record.user };
    return { status: record.expiresAt > Date.now() ? 'pending' : 'expired' };
  }

  /**
   * Marks a scene confirmed by the user who scanned it. Returns false for an unknown or expired
   * scene (the scan is then answered without logging anyone in).
   */
  async confirm(scene: string, openId: string): Promise<boolean> {
    const record = await this.scenes.get(scene);
    if (!record || record.expiresAt <= Date.now()) return false;
    if (record.openId) return record.openId === openId;
    let user: WechatUserInfo | undefined;
    try {
      user = await this.wechat.getUserInfo(openId);
    } catch (error: unknown) {
      this.logger.warn(`User info unavailable for a login scan: ${(error as Error).message}`);
    }
    await this.scenes.save(scene, { ...record, openId, user });
    return true;
  }
}
