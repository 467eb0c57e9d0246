/**
 * Tickets (complaints, refunds, returns): rows → the `Ticket` and `AgentTicket` resources with their
 * timeline and comments, moving a ticket along its state machine, and announcing every change to its
 * shopper and to the agent console in the caller's transaction. Shared by shopper and agent routes.
 */
import type { Actor, AgentTicket, Comment, Ticket, TicketKind, TicketStatus, TimelineEntry } from '../../src/api/schemas';
import { isClosed, promiseHours } from '../../src/api/ticketFlow';
import { recordAgentEvent, type TicketChange } from './agentEvents';
import type { Queryable } from './db';
import type { EventBus } from './events';
import type { PageRequest } from './paging';
import { unknownCursor } from './paging';
import { notFound } from './problem';
import { iso } from './rows';
import { shoppersOf } from './shoppers';

export const TICKET_COLUMNS =
  'id, site, owner, client_id, kind, status, order_id, items, category, description, amount, currency, attachment_ids, appealable, due_at, created_at, updated_at';
export interface TicketRow {
  id: string;
  site: string;
  owner: string;
  client_id: string;
  kind: TicketKind;
  status: TicketStatus;
  order_id: string | null;
  items: { orderItemId: string; quantity: number }[];
  category: string;
  description: string;
  /** bigint: a string from node-postgres, a number from PGlite. */
  amount: string | number | null;
  currency: string | null;
  attachment_ids: string[];
  appealable: boolean;
  due_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface TimelineRow {
  ticket_id: string;
  status: TicketStatus;
  actor: Actor;
  note: string | null;
  at: Date;
}

export const COMMENT_COLUMNS = 'id, ticket_id, client_id, author, text, attachment_ids, created_at';
export interface CommentRow {
  id: string;
  ticket_id: string;
  client_id: string | null;
  author: Actor;
  text: string;
  attachment_ids: string[];
  created_at: Date;
}

export const toComment = (row: CommentRow): Comment => ({
  id: row.id,
  clientId: row.client_id,
  ticketId: row.ticket_id,
  author: row.author,
  text: row.text,
  attachmentIds: row.attachment_ids,
  createdAt: iso(row.created_at),
});

/** Maps rows to tickets, reading the timelines and comments of all of them in two queries. */
export async function toTickets(q: Queryable, rows: TicketRow[]): Promise<Ticket[]> {
  const ids = rows.map((row) => row.id);
  const timelines = groupBy(
    ids.length ? await q.query<TimelineRow>('select ticket_id, status, actor, note, at from ticket_timeline where ticket_id = any($1) order by seq', [ids]) : [],
  );
  const comments = groupBy(
    ids.length ? await q.query<CommentRow>(`select ${COMMENT_COLUMNS} from ticket_comments where ticket_id = any($1) order by seq`, [ids]) : [],
  );
  return rows.map((row) => ({
    id: row.id,
    clientId: row.client_id,
    kind: row.kind,
    status: row.status,
    orderId: row.order_id,
    items: row.items,
    category: row.category,
    description: row.description,
    amount: row.amount === null ? null : { amount: Number(row.amount), currency: row.currency! },
    attachmentIds: row.attachment_ids,
    timeline: (timelines.get(row.id) ?? []).map(
      (entry): TimelineEntry => ({ status: entry.status, at: iso(entry.at), actor: entry.actor, ...(entry.note ? { note: entry.note } : {}) }),
    ),
    comments: (comments.get(row.id) ?? []).map(toComment),
    dueAt: row.due_at ? iso(row.due_at) : null,
    appealable: row.appealable,
    createdAt: iso(row.created_at),
    updatedAt: iso(row.updated_at),
  }));
}

/** Tickets with their shoppers, for the agent console. */
export async function toAgentTickets(q: Queryable, rows: TicketRow[]): Promise<AgentTicket[]> {
  const tickets = await toTickets(q, rows);
  const shopperOf = await shoppersOf(q, rows);
  return tickets.map((ticket, index) => ({ ...ticket, shopper: shopperOf(rows[index]!.site, rows[index]!.owner) }));
}

function groupBy<T extends { ticket_id: string }>(rows: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) groups.set(row.ticket_id, [...(groups.get(row.ticket_id) ?? []), row]);
  return groups;
}

/** The ticket if (site, owner) owns it; anything else is the same 404 as a missing id. */
export async function ownTicket(q: Queryable, owner: { site: string; owner: string }, id: string, lock = false) {
  const [row] = await q.query<TicketRow>(
    `select ${TICKET_COLUMNS} from tickets where id = $1 and site = $2 and owner = $3${lock ? ' for update' : ''}`,
    [id, owner.site, owner.owner],
  );
  if (!row) throw notFound('Ticket');
  return row;
}

/** Any ticket, for the agent; 404 when missing. */
export async function ticketById(q: Queryable, id: string, lock = false) {
  const [row] = await q.query<TicketRow>(`select ${TICKET_COLUMNS} from tickets where id = $1${lock ? ' for update' : ''}`, [id]);
  if (!row) throw notFound('Ticket');
  return row;
}

export interface TicketFilter {
  site?: string;
  owner?: string;
  statuses?: TicketStatus[];
  kinds?: TicketKind[];
}

/** One page of tickets, newest first, narrowed by the filter. */
export async function ticketPage(q: Queryable, filter: TicketFilter, { limit, cursor }: PageRequest) {
  const params: unknown[] = [];
  const where: string[] = [];
  const add = (clause: (param: string) => string, value: unknown) => {
    params.push(value);
    where.push(clause(`$${params.length}`));
  };
  if (filter.site) add((p) => `site = ${p}`, filter.site);
  if (filter.owner) add((p) => `owner = ${p}`, filter.owner);
  if (filter.statuses) add((p) => `status = any(${p})`, filter.statuses);
  if (filter.kinds) add((p) => `kind = any(${p})`, filter.kinds);
  if (cursor) {
    // The cursor must be a ticket of this very list, so it cannot probe other shoppers' ids.
    const scope = [...where, `id = $${params.length + 1}`].join(' and ');
    const [known] = await q.query(`select 1 from tickets where ${scope}`, [...params, cursor]);
    if (!known) throw unknownCursor();
    add((p) => `(created_at, id) < (select created_at, id from tickets where id = ${p})`, cursor);
  }
  params.push(limit + 1);
  return q.query<TicketRow>(
    `select ${TICKET_COLUMNS} from tickets ${where.length ? `where ${where.join(' and ')}` : ''}
     order by created_at desc, id desc limit $${params.length}`,
    params,
  );
}

/** `now + promiseHours[status]` in SQL; null when nothing is promised or the ticket is closed. */
export function promisedHours(status: TicketStatus, appealable: boolean): number | null {
  return isClosed(status, appealable) ? null : promiseHours[status] ?? null;
}

/** Appends a timeline entry. */
export async function addTimeline(q: Queryable, ticketId: string, status: TicketStatus, actor: Actor, note?: string | null) {
  await q.query('insert into ticket_timeline (ticket_id, status, actor, note) values ($1, $2, $3, $4)', [ticketId, status, actor, note || null]);
}

/**
 * Moves a ticket to `to` (the caller has checked `canTransition`): status, appealability, the new
 * promise (`dueAt`) and a timeline entry saying who did it, all in the caller's transaction.
 */
export async function moveTicket(
  q: Queryable, ticket: TicketRow, to: TicketStatus, actor: Actor, options: { note?: string | null; appealable?: boolean } = {},
) {
  const appealable = options.appealable ?? ticket.appealable;
  await q.query(
    `update tickets set status = $2, appealable = $3, due_at = now() + $4::int * interval '1 hour', updated_at = now()
     where id = $1`,
    [ticket.id, to, appealable, promisedHours(to, appealable)],
  );
  await addTimeline(q, ticket.id, to, actor, options.note);
}

/**
 * Announces the ticket as it now is: a `ticket` event for its shopper and one for the agent console,
 * both in the caller's transaction. The caller wakes the shopper's streams after commit.
 */
export async function announceTicket(q: Queryable, bus: EventBus, id: string, change: TicketChange) {
  const row = await ticketById(q, id);
  const [agentTicket] = await toAgentTickets(q, [row]);
  const { shopper: _shopper, ...ticket } = agentTicket!;
  await bus.record(q, row.site, row.owner, { type: 'ticket', ticket });
  await recordAgentEvent(q, { type: 'ticket', site: row.site, change, ticket: agentTicket! });
  return { ticket: ticket satisfies Ticket, agentTicket: agentTicket! };
}
