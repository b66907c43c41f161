/** What {@link WechatJssdkService.getConfig} takes. */
export interface WechatJssdkConfigRequest {
  /**
   * The page's URL as the page reports it: `location.href.split('#')[0]` (sent by the page; never
   * the server's idea of its own address, which proxies change). Cut at `#` here too.
   */
  url: string;
  /** The JS APIs the page will call, e.g. `['updateAppMessageShareData', 'scanQRCode']`. */
  jsApiList: string[];
  /** Open tags the page uses, e.g. `['wx-open-launch-weapp']`. Default `[]`. */
  openTagList?: string[];
  /**
   * `wx.config`'s debug mode (alerts in the page). Also adds `signed`, the exact string that was
   * signed — it contains the jsapi_ticket: use it only while debugging. Default false.
   */
  debug?: boolean;
}

/** The object `wx.config` takes, exactly. */
export interface WechatJssdkConfig {
  debug: boolean;
  appId: string;
  /** Seconds since the epoch. */
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList: string[];
  openTagList: string[];
  /** With `debug: true` only: `jsapi_ticket=…&noncestr=…&timestamp=…&url=…` as signed. */
  signed?: string;
}
