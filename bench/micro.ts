// Per-operation cost of the protocol core (the functions exported by @app/wechat), in one process:
// each operation is warmed up, then timed over several rounds; the median µs/op is reported.
import { randomBytes } from 'node:crypto';
import {
  MsgCrypt,
  buildReplyXml,
  computeSignature,
  parseWechatMessage,
  parseWechatXml,
  verifySignature,
  type WechatMessage,
} from '../libs/wechat/src';
import { WechatPushSimulator } from '../libs/wechat/src/testing';
import {
  PushTelemetry,
  observeDispatch,
  observeHandler,
} from '../libs/wechat/src/telemetry/push.telemetry';
import { installDemoMetrics } from '../src/observability/demo-metrics';
import { median, serveScript } from './script';
import { BENCH_ECHO_TEXT } from './constants';

export interface MicroInput {
  rounds: number;
  /** Target duration of one timed round, in ms. */
  roundMs: number;
}

export interface MicroRow {
  name: string;
  detail: string;
  microseconds: number;
  opsPerSecond: number;
}

type Op = () => unknown;

async function measure(op: Op, isAsync: boolean, input: MicroInput): Promise<number> {
  const runBatch = async (count: number): Promise<number> => {
    const started = process.hrtime.bigint();
    if (isAsync) for (let i = 0; i < count; i += 1) await op();
    else for (let i = 0; i < count; i += 1) op();
    return Number(process.hrtime.bigint() - started) / 1e3; // µs
  };
  // Warm-up and calibration: grow the batch until it takes ~roundMs / 4.
  let batch = 100;
  for (;;) {
    const took = await runBatch(batch);
    if (took >= (input.roundMs * 1000) / 4) break;
    batch *= 2;
  }
  const count = batch * 4;
  const perOp: number[] = [];
  for (let round = 0; round < input.rounds; round += 1) perOp.push((await runBatch(count)) / count);
  return median(perOp);
}

async function run(input: MicroInput): Promise<MicroRow[]> {
  const token = 'benchToken' + randomBytes(8).toString('hex');
  const appId = 'wx0a1b2c3d4e5f6a7b';
  const encodingAESKey = randomBytes(32).toString('base64').slice(0, 43).replace(/[+/]/g, 'x');
  const crypt = new MsgCrypt({ token, encodingAESKey, appId });
  const sim = new WechatPushSimulator({ token, appId, encodingAESKey });
  const fields = sim.text(BENCH_ECHO_TEXT, {
    MsgId: '7000000000000000001',
  });
  const plain = sim.sign(fields, 'plaintext');
  const safe = sim.sign(fields, 'safe');
  const query = new URLSearchParams(safe.search);
  const timestamp = query.get('timestamp') ?? '';
  const nonce = query.get('nonce') ?? '';
  const signature = query.get('signature') ?? '';
  const msgSignature = query.get('msg_signature') ?? '';
  const envelope = await parseWechatXml(safe.body);
  const encrypt = typeof envelope.Encrypt === 'string' ? envelope.Encrypt : '';
  const message: WechatMessage = await parseWechatMessage(plain.plainXml);
  const reply = {
    type: 'text' as const,
    content: BENCH_ECHO_TEXT,
  };
  const replyXml = buildReplyXml(reply, message);
  const bytes = (text: string): string => `${Buffer.byteLength(text)} B`;

  const ops: { name: string; detail: string; op: Op; isAsync?: boolean }[] = [
    {
      name: 'signature check',
      detail: 'verifySignature (token, timestamp, nonce)',
      op: () => verifySignature(token, timestamp, nonce, signature),
    },
    {
      name: 'signature compute',
      detail: 'computeSignature, 4 parts (msg_signature)',
      op: () => computeSignature(token, timestamp, nonce, encrypt),
    },
    {
      name: 'decrypt',
      detail: `MsgCrypt.decrypt incl. msg_signature check (${bytes(encrypt)} base64)`,
      op: () => crypt.decrypt(msgSignature, timestamp, nonce, encrypt),
    },
    {
      name: 'encrypt',
      detail: `MsgCrypt.encrypt (${bytes(replyXml)} reply XML)`,
      op: () => crypt.encrypt(replyXml),
    },
    {
      name: 'encrypt reply',
      detail: 'MsgCrypt.encryptReply (encrypt + sign + envelope)',
      op: () => crypt.encryptReply(replyXml, { nonce }),
    },
    {
      name: 'XML parse (envelope)',
      detail: `parseWechatXml of the safe-mode body (${bytes(safe.body)})`,
      op: () => parseWechatXml(safe.body),
      isAsync: true,
    },
    {
      name: 'XML parse (message)',
      detail: `parseWechatMessage of a text push (${bytes(plain.plainXml)})`,
      op: () => parseWechatMessage(plain.plainXml),
      isAsync: true,
    },
    {
      name: 'reply build',
      detail: 'buildReplyXml, text reply',
      op: () => buildReplyXml(reply, message),
    },
  ];
  const rows: MicroRow[] = [];
  for (const { name, detail, op, isAsync } of ops) {
    const microseconds = await measure(op, isAsync ?? false, input);
    rows.push({ name, detail, microseconds, opsPerSecond: 1e6 / microseconds });
  }
  // What one push records (push span and outcome, dispatch, one handler), without an SDK and then
  // with the metrics SDK and a Prometheus exporter installed (as the demo does).
  const options = { appId };
  const request = { method: 'POST', headers: { 'content-type': 'text/xml' } };
  // Without an SDK, start() gives no telemetry and the push runs as the controller runs it then.
  const pushTelemetry: Op = () => {
    const push = PushTelemetry.start(options, request);
    const work = (): Promise<string> =>
      observeDispatch(options, message, () =>
        observeHandler(options, message, 'BenchHandlers.echo', () => Promise.resolve('x')),
      );
    if (push === undefined) return work();
    return push.observe(async () => {
      push.decoded(message, true);
      await push.handling(work)();
    });
  };
  for (const sdk of [false, true]) {
    if (sdk) installDemoMetrics();
    const microseconds = await measure(pushTelemetry, true, input);
    rows.push({
      name: sdk ? 'push telemetry (metrics SDK)' : 'push telemetry (no SDK)',
      detail: sdk
        ? 'what one push records: 1 count, 2 histogram samples, 3 spans (no tracer: skipped), into the metrics SDK + Prometheus exporter'
        : 'what one push records without an SDK: nothing (the telemetry is skipped)',
      microseconds,
      opsPerSecond: 1e6 / microseconds,
    });
  }
  return rows;
}

serveScript(run);
