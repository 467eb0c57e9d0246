/**
 * The JS API's arguments, and what `init`'s options need beyond the loader's cheap checks (names,
 * types, choices, site key), as valibot schemas. A wrong one fails with a TypeError naming the
 * option or argument: `Kefu.startRefund "orderId": Invalid type…`.
 */
import * as v from 'valibot';
import { PageContext, ResourceId, TicketItem } from '../api/schemas';
import { containerOf } from '../embed/launcher';

export const Theme = v.picklist(['light', 'dark', 'auto']);

/** The part of the page context the host sets; device and locale are the widget's own. */
export const HostContext = v.strictObject({
  page: PageContext.entries.page,
  orderId: PageContext.entries.orderId,
  productId: PageContext.entries.productId,
  tags: PageContext.entries.tags,
});

/** A tab name, or exactly one of `{article}`, `{ticket}`, `{order}` with an id. */
export const View = v.custom<string | Record<string, string>>((view) =>
  typeof view == 'string'
    ? ['home', 'chat', 'help', 'orders', 'tickets'].includes(view)
    : !!view && Object.keys(view).length == 1 &&
      ['article', 'ticket', 'order'].some((key) => v.is(ResourceId, (view as Record<string, unknown>)[key])),
  'must be home, chat, help, orders, tickets, {article}, {ticket} or {order}');

export const Identity = v.strictObject({ token: v.pipe(v.string(), v.minLength(1), v.maxLength(4096)) });
export const Complaint = v.strictObject({ orderId: v.optional(ResourceId) });
export const Refund = v.strictObject({ orderId: ResourceId, items: v.optional(v.pipe(v.array(TicketItem), v.maxLength(50))) });

/** What the loader could not check cheaply; it has rejected unknown names, wrong types and values already. */
export const InitOptions = v.object({
  user: v.optional(Identity),
  context: v.optional(HostContext),
  container: v.optional(v.custom<HTMLElement | string>(
    (container) => containerOf(container as string)?.nodeType == 1,
    'must be an element or a selector that matches one',
  )),
});

/** `value` if it fits `schema`; else a TypeError naming where and what. */
export function check<S extends v.GenericSchema>(schema: S, value: unknown, where: string): v.InferOutput<S> {
  const result = v.safeParse(schema, value);
  if (result.success) return result.output;
  const [issue] = result.issues;
  const path = issue.path?.map((item) => item.key).join('.');
  throw new TypeError(`Kefu${where}${path ? ` "${path}"` : ''}: ${issue.message}`);
}
