import { WechatPushSimulator } from './wechat-push.simulator';

const sim = () => new WechatPushSimulator({ token: 'tok123', appId: 'wx1234567890abcdef' });

describe('WechatPushSimulator message ids', () => {
  it('never repeats a MsgId: 10 000 text pushes built in a loop are 10 000 distinct messages', () => {
    const simulator = sim();
    const ids = Array.from({ length: 10_000 }, () => simulator.text('hi').MsgId);
    expect(new Set(ids).size).toBe(10_000);
  });

  it("counts up by one from a random start, within WeChat's 64-bit MsgId", () => {
    const simulator = sim();
    const first = BigInt(simulator.text('a').MsgId);
    const second = BigInt(simulator.text('b').MsgId);
    expect(second - first).toBe(1n);
    expect(first > 0n && first < 2n ** 56n + 1n).toBe(true);
  });

  it('two simulators (as in two test processes) start far apart', () => {
    const a = BigInt(sim().text('a').MsgId);
    const b = BigInt(sim().text('b').MsgId);
    expect(a === b ? 0n : a > b ? a - b : b - a).toBeGreaterThan(1_000_000n);
  });

  it('keeps a MsgId the caller passes', () => {
    expect(sim().text('x', { MsgId: '42' }).MsgId).toBe('42');
  });
});
