import { Hono } from 'hono';
import type { Deps, Env } from '../context';
import type { Idempotent } from '../idempotency';
import { orderPage, ownOrder, toOrders } from '../orders';
import { pageOf, pageRequest } from '../paging';
import { notFound } from '../problem';

/**
 * `GET /v1/orders`, `GET /v1/orders/:id`: the session owner's orders (an anonymous visitor has none),
 * with what is still refundable. Read-only: orders come from the merchant's systems.
 */
export function orderRoutes({ db }: Deps, _idempotent: Idempotent) {
  const app = new Hono<Env>();

  app.get('/orders', async (c) => {
    const paging = pageRequest(c);
    const { page, next } = pageOf(await orderPage(db, c.get('auth'), paging), paging.limit);
    return c.json({ orders: await toOrders(db, page), next });
  });

  app.get('/orders/:id', async (c) => {
    const row = await ownOrder(db, c.get('auth'), c.req.param('id'));
    if (!row) throw notFound('Order');
    const [order] = await toOrders(db, [row]);
    return c.json(order!);
  });

  return app;
}
