/**
 * The ticket state machines of design §3, shared by the server (which enforces them) and the UI
 * (which shows what can happen next). Each transition names who may take it.
 *
 * complaint: submitted → acknowledged → investigating → resolved | rejected;
 *            rejected → appealed (shopper, once) → resolved | rejected (final)
 * refund:    requested → approved | rejected; approved → refunded; appeal as above (→ approved | rejected)
 * return:    requested → approved | rejected; approved → awaiting_return → return_received → refunded
 */
import type { Actor, TicketKind, TicketStatus } from './schemas';

type Flow = Partial<Record<TicketStatus, Partial<Record<TicketStatus, Actor>>>>;

const appeal = { rejected: { appealed: 'shopper' } } as const satisfies Flow;

export const ticketFlows: Record<TicketKind, Flow> = {
  complaint: {
    submitted: { acknowledged: 'agent', rejected: 'agent' },
    acknowledged: { investigating: 'agent', resolved: 'agent', rejected: 'agent' },
    investigating: { resolved: 'agent', rejected: 'agent' },
    ...appeal,
    appealed: { resolved: 'agent', rejected: 'agent' },
  },
  refund: {
    requested: { approved: 'agent', rejected: 'agent' },
    approved: { refunded: 'agent' },
    ...appeal,
    appealed: { approved: 'agent', rejected: 'agent' },
  },
  return: {
    requested: { approved: 'agent', rejected: 'agent' },
    approved: { awaiting_return: 'agent' },
    awaiting_return: { return_received: 'agent' },
    return_received: { refunded: 'agent' },
    ...appeal,
    appealed: { approved: 'agent', rejected: 'agent' },
  },
};

/** The status a new ticket of this kind starts in. */
export const initialStatus = (kind: TicketKind): TicketStatus => (kind === 'complaint' ? 'submitted' : 'requested');

/** Whether `actor` may move a ticket of `kind` from `from` to `to`. */
export function canTransition(kind: TicketKind, from: TicketStatus, to: TicketStatus, actor: Actor): boolean {
  return ticketFlows[kind][from]?.[to] === actor;
}

/** The statuses an agent may move a ticket to next. */
export function nextStatuses(kind: TicketKind, from: TicketStatus, actor: Actor = 'agent'): TicketStatus[] {
  return Object.entries(ticketFlows[kind][from] ?? {})
    .filter(([, who]) => who === actor)
    .map(([to]) => to as TicketStatus);
}

/** Terminal statuses: nothing more will happen (a rejection is terminal once it can no longer be appealed). */
export function isClosed(status: TicketStatus, appealable: boolean): boolean {
  return status === 'resolved' || status === 'refunded' || (status === 'rejected' && !appealable);
}

/** How long the merchant promises to take for the next step, in hours, by status reached. */
export const promiseHours: Partial<Record<TicketStatus, number>> = {
  submitted: 24,
  acknowledged: 48,
  investigating: 72,
  appealed: 72,
  requested: 48,
  approved: 72,
  awaiting_return: 14 * 24,
  return_received: 48,
};
