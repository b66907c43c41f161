import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Post,
  Req,
} from '@nestjs/common';
import { WechatAccounts } from '@app/wechat';
import { WechatPushSimulator } from '@app/wechat/testing';
import { SANDBOX_OPEN_ID } from './demo-sandbox';

/** What `POST /sandbox/scan` accepts. */
export interface SimulateScanRequest {
  scene?: unknown;
  /** `SCAN` (an existing follower, the default) or `subscribe` (a new one). */
  event?: unknown;
  /** The account the user scans at (default: the default account). */
  account?: unknown;
}

/** What `POST /sandbox/scan` answers: the app's own reply, as WeChat would read it. */
export interface SimulateScanResult {
  status: number;
  encrypted: boolean;
  reply: string;
}

/**
 * Sandbox only: makes the push simulator do what WeChat does when a user scans a login code at one
 * account. The push goes to this app's own `/wechat` (or `/wechat/<account>`) endpoint over HTTP,
 * through the real guard, decryption and handlers.
 */
@Controller('sandbox')
export class SandboxController {
  constructor(private readonly accounts: WechatAccounts) {}

  @Get()
  status(): { sandbox: true; openId: string } {
    return { sandbox: true, openId: SANDBOX_OPEN_ID };
  }

  @Post('scan')
  @HttpCode(200)
  async scan(
    @Body() body: SimulateScanRequest,
    @Req() request: { socket: { localPort?: number } },
  ): Promise<SimulateScanResult> {
    const scene = body?.scene;
    const event = body?.event ?? 'SCAN';
    if (typeof scene !== 'string' || !/^[\w-]{1,64}$/.test(scene)) {
      throw new BadRequestException('scene must be the scene string of a login QR code');
    }
    if (event !== 'SCAN' && event !== 'subscribe') {
      throw new BadRequestException('event must be "SCAN" or "subscribe"');
    }
    const name = body?.account;
    if (name !== undefined && typeof name !== 'string') {
      throw new BadRequestException('account must be the name of an account');
    }
    const account = name === undefined ? this.accounts.defaultAccount : this.accounts.find(name);
    if (!account || (name !== undefined && account.name !== name)) {
      throw new NotFoundException('Unknown WeChat account');
    }
    const { options } = account;
    const sim = new WechatPushSimulator({
      token: options.token ?? '',
      appId: options.appId,
      encodingAESKey: options.encodingAESKey,
      openId: SANDBOX_OPEN_ID,
    });
    const eventKey = event === 'subscribe' ? `qrscene_${scene}` : scene;
    const mode = options.encodingAESKey ? 'safe' : 'plaintext';
    const path = name === undefined ? '/wechat' : `/wechat/${account.name}`;
    const url = `http://127.0.0.1:${request.socket.localPort ?? 0}${path}`;
    const delivery = await sim.deliver(
      url,
      sim.event(event, { EventKey: eventKey, Ticket: 'sandbox' }),
      mode,
    );
    const content = delivery.reply?.fields.Content;
    return {
      status: delivery.status,
      encrypted: delivery.reply?.encrypted ?? false,
      reply: typeof content === 'string' ? content : delivery.body,
    };
  }
}
