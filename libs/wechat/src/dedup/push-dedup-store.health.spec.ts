import { Logger, type LoggerService } from '@nestjs/common';
import { WechatStoreCrossSlotError, WechatStoreKeyTypeError } from '../errors/wechat-store.error';
import { WechatTokenStoreError } from '../errors/wechat-token.error';
import { PushDedupStoreHealth, STORE_RECOVERY_QUIET_MS } from './push-dedup-store.health';

class Lines implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown): void {
    this.lines.push(`log ${String(message)}`);
  }
  warn(message: unknown): void {
    this.lines.push(`warn ${String(message)}`);
  }
  error(message: unknown): void {
    this.lines.push(`error ${String(message)}`);
  }
}

describe('PushDedupStoreHealth', () => {
  let logger: Lines;
  beforeEach(() => {
    logger = new Lines();
    Logger.overrideLogger(logger);
  });
  afterAll(() => {
    Logger.overrideLogger(new Logger());
  });

  afterEach(() => jest.useRealTimers());

  it('logs an outage once, and its end once, after a quiet second (no flapping)', () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] });
    const health = new PushDedupStoreHealth();
    health.failed(new WechatTokenStoreError('Redis is not available.'));
    // Some operations succeed (other Cluster masters), some still fail: still one outage.
    for (let i = 0; i < 5; i++) {
      jest.advanceTimersByTime(100);
      expect(health.succeeded()).toBe(false);
      health.failed(new WechatTokenStoreError('Redis is not available.'));
    }
    expect(health.down).toBe(true);
    jest.advanceTimersByTime(STORE_RECOVERY_QUIET_MS);
    expect(health.succeeded()).toBe(true);
    expect(health.succeeded()).toBe(false);
    expect(logger.lines).toEqual([
      'warn The shared push de-duplication store is unavailable (Redis is not available); de-duplicating in this process until it is back.',
      'log The shared push de-duplication store is reachable again.',
    ]);
  });

  it('logs WRONGTYPE and CROSSSLOT as errors, once each, and takes neither for an outage', () => {
    const health = new PushDedupStoreHealth();
    for (let i = 0; i < 3; i++) {
      health.failed(new WechatStoreKeyTypeError('A key holds another type (WRONGTYPE).'));
      health.failed(new WechatStoreCrossSlotError('Keys in different slots (CROSSSLOT).'));
    }
    expect(health.down).toBe(false);
    expect(logger.lines).toEqual([
      'error Configuration error in the shared push de-duplication store: A key holds another type (WRONGTYPE). The pushes concerned are de-duplicated in this process only.',
      'error Configuration error in the shared push de-duplication store: Keys in different slots (CROSSSLOT). The pushes concerned are de-duplicated in this process only.',
    ]);
  });
});
