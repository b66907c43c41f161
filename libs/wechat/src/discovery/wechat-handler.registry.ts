import { Injectable } from '@nestjs/common';
import type { WechatMessage } from '../core/wechat-message.interfaces';
import type {
  WechatEventKeyFilter,
  WechatHandlerDefinition,
} from '../interfaces/wechat-handler.interfaces';

/**
 * The handlers found at start-up, indexed for dispatch. Order is registration order (the order
 * Nest's discovery lists providers and controllers, then methods in declaration order).
 */
@Injectable()
export class WechatHandlerRegistry {
  private readonly byEvent = new Map<string, WechatHandlerDefinition[]>();
  private readonly byMessage = new Map<string, WechatHandlerDefinition[]>();
  private readonly fallbacks: WechatHandlerDefinition[] = [];
  private count = 0;

  /** Adds one handler. */
  register(definition: WechatHandlerDefinition): void {
    const { metadata } = definition;
    this.count += 1;
    if (metadata.kind === 'fallback') {
      this.fallbacks.push(definition);
      return;
    }
    const index = metadata.kind === 'event' ? this.byEvent : this.byMessage;
    for (const type of metadata.types) {
      const list = index.get(type) ?? [];
      list.push(definition);
      index.set(type, list);
    }
  }

  /** How many registrations there are. */
  get size(): number {
    return this.count;
  }

  /** The account names the handlers filter on (each must be a configured account). */
  accountFilters(): Array<{ readonly handler: string; readonly account: string }> {
    const all = [...this.byEvent.values(), ...this.byMessage.values(), this.fallbacks].flat();
    const seen = new Set<WechatHandlerDefinition>();
    const filters: Array<{ handler: string; account: string }> = [];
    for (const definition of all) {
      if (seen.has(definition)) continue;
      seen.add(definition);
      for (const account of definition.metadata.accounts ?? []) {
        filters.push({ handler: definition.name, account });
      }
    }
    return filters;
  }

  /**
   * The handlers that match a push to `account` (a name; every handler without one), in order:
   * the specific handlers (events matched on `Event` and their `EventKey` filter, messages on
   * `MsgType`), or, when none matched, the fallbacks. Handlers filtered to other accounts are left
   * out.
   */
  match(message: WechatMessage, account?: string): readonly WechatHandlerDefinition[] {
    const specific = forAccount(this.matchSpecific(message), account);
    return specific.length > 0 ? specific : forAccount(this.fallbacks, account);
  }

  private matchSpecific(message: WechatMessage): readonly WechatHandlerDefinition[] {
    if (message.MsgType !== 'event') {
      return this.byMessage.get(message.MsgType) ?? [];
    }
    const event = 'Event' in message && typeof message.Event === 'string' ? message.Event : '';
    const candidates = this.byEvent.get(event);
    if (!candidates) return [];
    const eventKey = readEventKey(message);
    return candidates.filter(
      (handler) =>
        handler.metadata.kind !== 'event' ||
        handler.metadata.eventKey === undefined ||
        matchesEventKey(handler.metadata.eventKey, eventKey),
    );
  }
}

/** The handlers that run for `account`: those without a filter and those that name it. */
function forAccount(
  handlers: readonly WechatHandlerDefinition[],
  account: string | undefined,
): readonly WechatHandlerDefinition[] {
  if (!handlers.some((handler) => handler.metadata.accounts !== undefined)) return handlers;
  return handlers.filter(
    ({ metadata }) =>
      metadata.accounts === undefined ||
      (account !== undefined && metadata.accounts.includes(account)),
  );
}

function readEventKey(message: WechatMessage): string | undefined {
  const value = (message as { EventKey?: unknown }).EventKey;
  return typeof value === 'string' ? value : undefined;
}

/** Whether an `EventKey` passes a handler's filter. A push without `EventKey` never does. */
export function matchesEventKey(
  filter: WechatEventKeyFilter,
  eventKey: string | undefined,
): boolean {
  if (eventKey === undefined) return false;
  if (typeof filter === 'string') return filter === eventKey;
  if (filter instanceof RegExp) {
    filter.lastIndex = 0;
    return filter.test(eventKey);
  }
  return eventKey.startsWith(filter.prefix);
}
