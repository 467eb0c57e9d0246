/**
 * Orders: rows → the `Order` resource, with how much of each line can still be refunded or returned
 * and until when. Orders are written by the merchant's systems (the demo seed here); Kefu only reads
 * them, and derives what is refundable from the tickets already filed against them.
 */
import type { Order, OrderStatus, Shipment } from '../../src/api/schemas';
import type { Queryable } from './db';
import type { PageRequest } from './paging';
import { unknownCursor } from './paging';
import { iso } from './rows';

/** An order line as stored: the unit price in minor units of the order's currency. */
export interface StoredOrderItem {
  id: string;
  productId: string;
  name: string;
  quantity: number;
  unitPrice: number;
}

export const ORDER_COLUMNS = 'id, site, owner, number, status, placed_at, currency, total, refundable_until, items, shipments';
export interface OrderRow {
  id: string;
  site: string;
  owner: string;
  number: string;
  status: OrderStatus;
  placed_at: Date;
  currency: string;
  /** bigint: a string from node-postgres, a number from PGlite. */
  total: string | number;
  refundable_until: Date | null;
  items: StoredOrderItem[];
  shipments: Shipment[];
}

/** Refunds and returns are open only for orders on their way or arrived. */
const REFUNDABLE_STATUSES: ReadonlySet<OrderStatus> = new Set(['shipped', 'delivered']);

/** Quantities per order line already claimed by refund or return tickets that may still succeed. */
type Held = Map<string, number>;

export function toOrder(row: OrderRow, held: Held, now = new Date()): Order {
  const until = row.refundable_until && REFUNDABLE_STATUSES.has(row.status) && row.refundable_until > now
    ? iso(row.refundable_until)
    : null;
  const money = (amount: number) => ({ amount, currency: row.currency });
  return {
    id: row.id,
    number: row.number,
    status: row.status,
    placedAt: iso(row.placed_at),
    total: money(Number(row.total)),
    items: row.items.map((item) => ({
      id: item.id,
      productId: item.productId,
      name: item.name,
      quantity: item.quantity,
      unitPrice: money(item.unitPrice),
      refundableQuantity: Math.max(0, item.quantity - (held.get(item.id) ?? 0)),
    })),
    shipments: row.shipments,
    refundableUntil: until,
  };
}

/** Maps rows to orders, reading the held quantities of all of them in one query. */
export async function toOrders(q: Queryable, rows: OrderRow[]): Promise<Order[]> {
  const held = await heldQuantities(q, rows.map((row) => row.id));
  return rows.map((row) => toOrder(row, held.get(row.id) ?? new Map()));
}

/**
 * Quantities per order and line in refund or return tickets that are not finally rejected: a
 * rejection that can still be appealed keeps its items, so the same items cannot be claimed twice.
 */
export async function heldQuantities(q: Queryable, orderIds: string[]): Promise<Map<string, Held>> {
  const byOrder = new Map<string, Held>();
  if (orderIds.length === 0) return byOrder;
  const rows = await q.query<{ order_id: string; items: { orderItemId: string; quantity: number }[] }>(
    `select order_id, items from tickets
     where order_id = any($1) and kind in ('refund', 'return') and not (status = 'rejected' and not appealable)`,
    [orderIds],
  );
  for (const row of rows) {
    const held = byOrder.get(row.order_id) ?? new Map<string, number>();
    for (const item of row.items) held.set(item.orderItemId, (held.get(item.orderItemId) ?? 0) + item.quantity);
    byOrder.set(row.order_id, held);
  }
  return byOrder;
}

/** The order if (site, owner) owns it, else null; `lock` holds it until the transaction ends. */
export async function ownOrder(
  q: Queryable, owner: { site: string; owner: string }, id: string, lock = false,
): Promise<OrderRow | null> {
  const [row] = await q.query<OrderRow>(
    `select ${ORDER_COLUMNS} from orders where id = $1 and site = $2 and owner = $3${lock ? ' for update' : ''}`,
    [id, owner.site, owner.owner],
  );
  return row ?? null;
}

/** One page of a shopper's orders, newest first. */
export async function orderPage(q: Queryable, owner: { site: string; owner: string }, { limit, cursor }: PageRequest) {
  if (cursor && !(await ownOrder(q, owner, cursor))) throw unknownCursor();
  return q.query<OrderRow>(
    `select ${ORDER_COLUMNS} from orders
     where site = $1 and owner = $2
       and ($3::text is null or (placed_at, id) < (select placed_at, id from orders where id = $3))
     order by placed_at desc, id desc limit $4`,
    [owner.site, owner.owner, cursor, limit + 1],
  );
}
