import { Injectable, Module } from '@nestjs/common';
import {
  InjectWechatClient,
  OnWechatEvent,
  OnWechatMessage,
  WechatAccounts,
  WechatClientService,
  WechatModule,
  type WechatAccountOptions,
  type WechatContext,
  type WechatMessageOfType,
} from 'nestjs-wechat-oa';

/** Where a SaaS host keeps the accounts its customers connected (a table, here a Map). */
export const customerAccounts = new Map<string, WechatAccountOptions>();

@Injectable()
export class ShopService {
  constructor(
    // The shop's own client (its AppID, its token); the unnamed one is the default account's.
    @InjectWechatClient('shop') private readonly shop: WechatClientService,
    private readonly accounts: WechatAccounts,
  ) {}

  // Runs only for pushes to /wechat/shop.
  @OnWechatEvent('subscribe', { account: 'shop' })
  welcome(): string {
    return 'Welcome to the shop!';
  }

  // Runs for every account; the context says which one received the push.
  @OnWechatMessage('text')
  echo(message: WechatMessageOfType<'text'>, context: WechatContext): string {
    return `${context.account}: ${message.Content}`;
  }

  notify(openId: string): Promise<unknown> {
    return this.shop.sendTemplateMessage({ touser: openId, template_id: 'TPL', data: {} });
  }

  /** A customer connects an account while the app runs (validated like the boot options). */
  connect(account: WechatAccountOptions): void {
    customerAccounts.set(account.name, account); // every instance's loader will find it
    this.accounts.register(account); // this instance serves it at once
  }
}

@Module({
  imports: [
    WechatModule.forRoot({
      // Today's single-account options: the account "default", at /wechat.
      appId: 'wx0000000000000001',
      appSecret: 'secret-from-your-vault',
      token: 'defaultToken',
      // More accounts, each at /wechat/<name> with its own credentials and keys.
      accounts: [
        {
          name: 'shop',
          appId: 'wx0000000000000002',
          appSecret: 'another-secret',
          token: 'shopToken',
          encodingAESKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
          requireEncryption: true,
        },
      ],
      // A push to /wechat/<name> for an account this instance does not know: ask the host.
      resolveAccount: (name) => customerAccounts.get(name),
    }),
  ],
  providers: [ShopService],
})
export class AccountsAppModule {}
