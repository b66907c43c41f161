import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { toDataURL } from 'qrcode';
import { WechatAccounts, type WechatAccount, type WechatUserInfo } from '@app/wechat';
import { LoginSceneStore } from './login-scene.store';

/** Seconds a login QR code stays valid. */
export const LOGIN_QR_EXPIRE_SECONDS = 300;

/** What `POST /login/qrcode` answers. */
export interface LoginQrCode {
  scene: string;
  /** The account that issued the code (only a scan at that account confirms it). */
  account: string;
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

/** The accounts the login page can switch between. */
export interface LoginAccounts {
  accounts: string[];
  defaultAccount?: string;
}

/**
 * "Scan the code to log in": issues scenes on one Official Account and confirms them when a user
 * scans them at that same account.
 */
@Injectable()
export class LoginService {
  private readonly logger = new Logger(LoginService.name);

  constructor(
    private readonly accounts: WechatAccounts,
    private readonly scenes: LoginSceneStore,
  ) {}

  /** The configured accounts and the default one. */
  listAccounts(): LoginAccounts {
    return { accounts: this.accounts.names(), defaultAccount: this.accounts.defaultName };
  }

  /**
   * Creates a temporary QR code for a fresh random scene on `accountName` (default: the default
   * account); 404 for an account that is not configured.
   */
  async createQrCode(accountName?: string): Promise<LoginQrCode> {
    const account = this.accountOf(accountName);
    const scene = `login_${randomBytes(12).toString('hex')}`;
    const qr = await account.client.createQRCode({
      scene,
      expireSeconds: LOGIN_QR_EXPIRE_SECONDS,
    });
    const expireSeconds = qr.expireSeconds ?? LOGIN_QR_EXPIRE_SECONDS;
    await this.scenes.save(scene, {
      account: account.name,
      expiresAt: Date.now() + expireSeconds * 1000,
    });
    const qrImage = await toDataURL(qr.url, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
    return {
      scene,
      account: account.name,
      ticket: qr.ticket,
      imageUrl: qr.imageUrl,
      url: qr.url,
      qrImage,
      expireSeconds,
    };
  }

  /** The account that issued a scene (the default one for a record without it). */
  async accountOfScene(scene: string): Promise<string> {
    const record = await this.scenes.get(scene);
    return record?.account ?? this.accounts.defaultName ?? 'default';
  }

  /** The scene's state; 404 for a scene this app never issued. */
  async status(scene: string): Promise<LoginStatus> {
    const record = await this.scenes.get(scene);
    if (!record) throw new NotFoundException('Unknown login scene');
    if (record.openId) return { status: 'confirmed', openId: record.openId, user: record.user };
    return { status: record.expiresAt > Date.now() ? 'pending' : 'expired' };
  }

  /**
   * Marks a scene confirmed by the user who scanned it at `accountName`. Returns false for an
   * unknown or expired scene, or one another account issued (the scan is then answered without
   * logging anyone in).
   */
  async confirm(scene: string, openId: string, accountName: string): Promise<boolean> {
    const record = await this.scenes.get(scene);
    if (!record || record.expiresAt <= Date.now()) return false;
    if ((record.account ?? this.accounts.defaultName) !== accountName) return false;
    if (record.openId) return record.openId === openId;
    let user: WechatUserInfo | undefined;
    try {
      user = await this.accounts.get(accountName).client.getUserInfo(openId);
    } catch (error: unknown) {
      this.logger.warn(`User info unavailable for a login scan: ${(error as Error).message}`);
    }
    await this.scenes.save(scene, { ...record, openId, user });
    return true;
  }

  private accountOf(name: string | undefined): WechatAccount {
    const account = name === undefined ? this.accounts.defaultAccount : this.accounts.find(name);
    if (!account || (name !== undefined && account.name !== name)) {
      throw new NotFoundException(
        name === undefined
          ? 'No default WeChat account: pass ?account=<name>'
          : 'Unknown WeChat account',
      );
    }
    return account;
  }
}
