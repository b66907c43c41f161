import {
  jsonBody,
  ok,
  requireOpenId,
  SandboxApiError,
  type Json,
  type SandboxAnswer,
  type SandboxDomain,
  type SandboxRequest,
} from './sandbox-request';

const PATHS = {
  send: '/cgi-bin/message/subscribe/bizsend',
  categories: '/wxaapi/newtmpl/getcategory',
  pubTemplateTitles: '/wxaapi/newtmpl/getpubtemplatetitles',
  pubTemplateKeywords: '/wxaapi/newtmpl/getpubtemplatekeywords',
  addTemplate: '/wxaapi/newtmpl/addtemplate',
  templates: '/wxaapi/newtmpl/gettemplate',
  deleteTemplate: '/wxaapi/newtmpl/deltemplate',
  typing: '/cgi-bin/message/custom/typing',
} as const;

/** Longest value by data key prefix, in characters. */
const VALUE_LIMITS: Readonly<Record<string, number>> = {
  thing: 20,
  number: 32,
  letter: 32,
  symbol: 5,
  character_string: 32,
  phone_number: 17,
  car_number: 8,
  name: 20,
  phrase: 5,
  const: 20,
};

/** Public templates the sandbox offers (`tid` → keywords). */
const PUBLIC_TEMPLATES: Readonly<Record<string, { title: string; keywords: string[] }>> = {
  '1001': { title: '订单发货通知', keywords: ['thing', 'character_string', 'time'] },
  '1002': { title: '预约成功通知', keywords: ['thing', 'date', 'phrase'] },
};

/** A subscription template of the account. */
export interface FixtureSubscribeTemplate {
  readonly priTmplId: string;
  readonly tid: string;
  readonly kidList: readonly number[];
  readonly sceneDesc?: string;
}

/**
 * Subscription notifications and the typing indicator, with WeChat's checks: `touser` (40003),
 * a template of the account (40037), data keys `{ value }` within their prefix's limit (47003
 * naming the field: `argument invalid! data.thing1.value exceeds limit`), users who refused (43101,
 * see `refuseSubscription`); `typing` command Typing / CancelTyping (40008 otherwise).
 */
export class SandboxSubscribe implements SandboxDomain {
  readonly paths: ReadonlySet<string> = new Set(Object.values(PATHS));
  private templateList: FixtureSubscribeTemplate[] = [];
  private refused = new Set<string>();
  private seq = 0;

  /** Makes bizsend to `openid` answer 43101 (the user refused or used up the subscription). */
  refuseSubscription(openid: string): void {
    this.refused.add(openid);
  }

  /** The account's templates. */
  get templates(): readonly FixtureSubscribeTemplate[] {
    return [...this.templateList];
  }

  /** Adds a template as if picked in the console; returns its priTmplId. */
  addTemplate(tid = '1001', kidList: readonly number[] = [1, 2, 3]): string {
    this.seq++;
    const priTmplId = `sandboxTmpl${String(this.seq).padStart(4, '0')}_${tid}`;
    this.templateList.push({ priTmplId, tid, kidList: [...kidList] });
    return priTmplId;
  }

  reset(): void {
    this.templateList = [];
    this.refused = new Set();
    this.seq = 0;
  }

  route(request: SandboxRequest): SandboxAnswer {
    const { path, query } = request;
    switch (path) {
      case PATHS.send:
        return this.send(jsonBody(request));
      case PATHS.categories:
        return ok({ data: [{ id: 616, name: '公交' }] });
      case PATHS.pubTemplateTitles: {
        if (!query.get('ids')) throw new SandboxApiError(47001, 'data format error: ids');
        const data = Object.entries(PUBLIC_TEMPLATES).map(([tid, t]) => ({
          tid: Number(tid),
          title: t.title,
          type: 2,
          categoryId: '616',
        }));
        return ok({ count: data.length, data });
      }
      case PATHS.pubTemplateKeywords: {
        const template = PUBLIC_TEMPLATES[query.get('tid') ?? ''];
        if (!template) throw new SandboxApiError(200014, 'template tid not exist');
        const data = template.keywords.map((rule, index) => ({
          kid: index + 1,
          name: `${rule}${index + 1}`,
          example: rule === 'time' ? '15:01' : '示例',
          rule,
        }));
        return ok({ count: data.length, data });
      }
      case PATHS.addTemplate: {
        const body = jsonBody(request);
        const template = PUBLIC_TEMPLATES[String(body.tid)];
        if (!template) throw new SandboxApiError(200014, 'template tid not exist');
        const kids = body.kidList;
        if (!Array.isArray(kids) || kids.length < 2 || kids.length > 5) {
          throw new SandboxApiError(200016, 'kidList size invalid');
        }
        if (
          kids.some((kid) => !Number.isInteger(kid) || kid < 1 || kid > template.keywords.length)
        ) {
          throw new SandboxApiError(200018, 'kid not exist');
        }
        const id = this.addTemplate(String(body.tid), kids as number[]);
        return ok({ priTmplId: id });
      }
      case PATHS.templates:
        return ok({
          data: this.templateList.map((t) => ({
            priTmplId: t.priTmplId,
            title: PUBLIC_TEMPLATES[t.tid]?.title ?? '',
            content: t.kidList.map((kid) => `{{${keyOf(t.tid, kid)}.DATA}}`).join('\n'),
            example: '',
            type: 2,
          })),
        });
      case PATHS.deleteTemplate: {
        const id = jsonBody(request).priTmplId;
        const before = this.templateList.length;
        this.templateList = this.templateList.filter((t) => t.priTmplId !== id);
        if (this.templateList.length === before) {
          throw new SandboxApiError(20002, 'template not exist');
        }
        return ok();
      }
      case PATHS.typing: {
        const body = jsonBody(request);
        requireOpenId(body.touser);
        if (body.command !== 'Typing' && body.command !== 'CancelTyping') {
          throw new SandboxApiError(40008, 'invalid command');
        }
        return ok();
      }
      default:
        return undefined;
    }
  }

  private send(body: Json): string {
    const openid = requireOpenId(body.touser);
    const template = this.templateList.find((t) => t.priTmplId === body.template_id);
    if (!template) throw new SandboxApiError(40037, 'invalid template_id');
    const data = body.data as Json | undefined;
    if (typeof data !== 'object' || data === null) {
      throw new SandboxApiError(47003, 'argument invalid! data is empty');
    }
    for (const [key, item] of Object.entries(data)) {
      const value = (item as Json | null)?.value;
      if (typeof value !== 'string' || value === '') {
        throw new SandboxApiError(47003, `argument invalid! data.${key}.value is empty`);
      }
      const limit = VALUE_LIMITS[key.replace(/[0-9]+$/, '')];
      if (limit !== undefined && [...value].length > limit) {
        throw new SandboxApiError(47003, `argument invalid! data.${key}.value exceeds limit`);
      }
    }
    if (this.refused.has(openid)) throw new SandboxApiError(43101, 'user refuse to accept the msg');
    return ok();
  }
}

function keyOf(tid: string, kid: number): string {
  return `${PUBLIC_TEMPLATES[tid]?.keywords[kid - 1] ?? 'thing'}${kid}`;
}
