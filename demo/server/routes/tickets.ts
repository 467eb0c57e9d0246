import { Hono } from 'hono';
import { randomUUID } from 'node:crypto';
import type * as v from 'valibot';
import { AppealCreate, CommentCreate, TicketCreate, type FieldError, type Money } from '../../../src/api/schemas';
import { canTransition, initialStatus, isClosed } from '../../../src/api/ticketFlow';
import type { Deps, Env } from '../context';
import type { Queryable } from '../db';
import { ticketCreated, ticketMoved } from '../facts';
import type { Idempotent } from '../idempotency';
import { ownOrder, toOrders } from '../orders';
import { pageOf, pageRequest } from '../paging';
import { ProblemError, readBody } from '../problem';
import {
  addTimeline, announceTicket, COMMENT_COLUMNS, moveTicket, ownTicket, promisedHours, ticketPage, TICKET_COLUMNS,
  toComment, toTickets, type CommentRow, type TicketRow,
} from '../tickets';
import type { Auth } from '../tokens';


/**
 * The shopper's tickets: complaints, refunds and returns, their appeals and comments. Every write
 * checks what the shopper may claim, moves the ticket only along its state machine (ticketFlow.ts)
 * and announces the result to the shopper's streams and the agent console in the same transaction.
 */
export function ticketsRoutes({ db, bus }: Deps, idempotent: Idempotent) {
  const app = new Hono<Env>();

  app.get('/tickets', async (c) => {
    const { site, owner } = c.get('auth');
    const paging = pageRequest(c);
    const { page, next } = pageOf(await ticketPage(db, { site, owner }, paging), paging.limit);
    return c.json({ tickets: await toTickets(db, page), next });
  });

  app.get('/tickets/:id', async (c) => {
    const [ticket] = await toTickets(db, [await ownTicket(db, c.get('auth'), c.req.param('id'))]);
    return c.json(ticket!);
  });

  app.post('/tickets', async (c) => {
    const body = await readBody(c, TicketCreate);
    return idempotent(c, body, async (q, auth) => {
      // The clientId names this write: a retry under another Idempotency-Key gets the ticket it made.
      const [earlier] = await q.query<TicketRow>(
        `select ${TICKET_COLUMNS} from tickets where site = $1 and owner = $2 and client_id = $3`,
        [auth.site, auth.owner, body.clientId],
      );
      if (earlier) return (await toTickets(q, [earlier]))[0]!;
      const claim = await checkClaim(q, auth, body);
      const errors = [...claim.errors, ...(await attachmentErrors(q, auth, body.attachmentIds))];
      if (errors.length) throw invalid(errors);
      const status = initialStatus(body.kind);
      const id = `t_${randomUUID()}`;
      await q.query(
        `insert into tickets (id, site, owner, client_id, kind, status, order_id, items, category, description,
           amount, currency, attachment_ids, due_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, now() + $14::int * interval '1 hour')`,
        [
          id, auth.site, auth.owner, body.clientId, body.kind, status, body.orderId ?? null, JSON.stringify(body.items ?? []),
          body.category, body.description, claim.amount?.amount ?? null, claim.amount?.currency ?? null,
          body.attachmentIds ?? [], promisedHours(status, true),
        ],
      );
      await addTimeline(q, id, status, 'shopper');
      await ticketCreated(q, id, 'shopper');
      return (await announceTicket(q, bus, id, 'created')).ticket;
    });
  });

  app.post('/tickets/:id/appeal', async (c) => {
    const body = await readBody(c, AppealCreate);
    return idempotent(c, body, async (q, auth) => {
      const ticket = await ownTicket(q, auth, c.req.param('id'), true);
      if (!ticket.appealable || !canTransition(ticket.kind, ticket.status, 'appealed', 'shopper')) {
        throw new ProblemError(409, 'Conflict', ticket.status === 'rejected'
          ? 'This ticket was appealed once already; its rejection is final'
          : `Only a rejected ticket can be appealed; this one is ${ticket.status}`);
      }
      const errors = await attachmentErrors(q, auth, body.attachmentIds);
      if (errors.length) throw invalid(errors);
      if (body.attachmentIds?.length) {
        const evidence = [...new Set([...ticket.attachment_ids, ...body.attachmentIds])];
        await q.query('update tickets set attachment_ids = $2 where id = $1', [ticket.id, evidence]);
      }
      // One appeal per ticket: a rejection after it is final.
      await ticketMoved(q, ticket, 'appealed', 'shopper', false);
      await moveTicket(q, ticket, 'appealed', 'shopper', { note: body.reason, appealable: false });
      return (await announceTicket(q, bus, ticket.id, 'appealed')).ticket;
    });
  });

  app.post('/tickets/:id/comments', async (c) => {
    const body = await readBody(c, CommentCreate);
    return idempotent(c, body, async (q, auth) => {
      const ticket = await ownTicket(q, auth, c.req.param('id'), true);
      if (isClosed(ticket.status, ticket.appealable)) {
        throw new ProblemError(409, 'Conflict', `This ticket is closed (${ticket.status}); it takes no more comments`);
      }
      const errors = await attachmentErrors(q, auth, body.attachmentIds);
      if (errors.length) throw invalid(errors);
      const [row] = await q.query<CommentRow>(
        `insert into ticket_comments (id, ticket_id, client_id, author, text, attachment_ids) values ($1, $2, $3, 'shopper', $4, $5)
         on conflict (ticket_id, client_id) where client_id is not null do nothing
         returning ${COMMENT_COLUMNS}`,
        [`tc_${randomUUID()}`, ticket.id, body.clientId, body.text, body.attachmentIds ?? []],
      );
      if (!row) {
        // Sent before under another Idempotency-Key: the comment it made, announced then.
        const [earlier] = await q.query<CommentRow>(
          `select ${COMMENT_COLUMNS} from ticket_comments where ticket_id = $1 and client_id = $2`,
          [ticket.id, body.clientId],
        );
        return toComment(earlier!);
      }
      await q.query('update tickets set updated_at = now() where id = $1', [ticket.id]);
      await announceTicket(q, bus, ticket.id, 'commented');
      return toComment(row);
    });
  });

  return app;
}

/**
 * What a ticket may claim of its order. A refund or return needs one of the shopper's own orders,
 * still inside its refund window, and items no more than still refundable; its amount is computed
 * here from the items (the shopper may ask for less, never more). A complaint may name an order
 * (its own) and items of it, but no amount.
 */
async function checkClaim(q: Queryable, auth: Auth, body: v.InferOutput<typeof TicketCreate>): Promise<{ errors: FieldError[]; amount: Money | null }> {
  const errors: FieldError[] = [];
  const refund = body.kind !== 'complaint';
  const items = body.items ?? [];
  if (refund && items.length === 0) errors.push({ path: 'items', message: 'must name at least one item to refund or return' });
  if (!refund && body.amount !== undefined) errors.push({ path: 'amount', message: 'only refunds and returns have an amount' });

  // Locked, so two claims on the same items cannot both pass.
  const row = body.orderId ? await ownOrder(q, auth, body.orderId, true) : null;
  if (!row) {
    if (body.orderId) errors.push({ path: 'orderId', message: 'is not one of your orders' });
    else if (refund) errors.push({ path: 'orderId', message: 'is required for a refund or a return' });
    else if (items.length) errors.push({ path: 'items', message: 'need an orderId' });
    return { errors, amount: null };
  }
  const [order] = await toOrders(q, [row]);
  if (refund && !order!.refundableUntil) {
    errors.push({ path: 'orderId', message: 'can no longer be refunded or returned' });
  }
  const lines = new Map(order!.items.map((line) => [line.id, line]));
  const seen = new Set<string>();
  let total = 0;
  const itemErrors = items.flatMap((item, index): FieldError[] => {
    const line = lines.get(item.orderItemId);
    if (!line) return [{ path: `items.${index}.orderItemId`, message: 'is not an item of this order' }];
    if (seen.has(line.id)) return [{ path: `items.${index}.orderItemId`, message: 'is listed twice' }];
    seen.add(line.id);
    total += line.unitPrice.amount * item.quantity;
    const most = refund ? line.refundableQuantity : line.quantity;
    if (item.quantity <= most) return [];
    return [{
      path: `items.${index}.quantity`,
      message: refund ? `must be at most ${most}, the quantity still refundable` : `must be at most ${most}, the quantity ordered`,
    }];
  });
  errors.push(...itemErrors);
  if (!refund) return { errors, amount: null };
  if (itemErrors.length === 0 && body.amount !== undefined && body.amount > total) {
    errors.push({ path: 'amount', message: `must be at most ${total}, the price of the items` });
  }
  return { errors, amount: { amount: body.amount ?? total, currency: row.currency } };
}

/** Each attachment must be one of the shopper's own uploads; anything else is named by its index. */
async function attachmentErrors(q: Queryable, auth: Auth, ids: string[] = []): Promise<FieldError[]> {
  if (ids.length === 0) return [];
  const rows = await q.query<{ id: string }>(
    'select id from uploads where site = $1 and owner = $2 and id = any($3)',
    [auth.site, auth.owner, ids],
  );
  const own = new Set(rows.map((row) => row.id));
  return ids.flatMap((id, index) => (own.has(id) ? [] : [{ path: `attachmentIds.${index}`, message: 'is not one of your uploads' }]));
}

const invalid = (errors: FieldError[]) => new ProblemError(400, 'Bad Request', 'Some fields cannot be accepted', errors);
