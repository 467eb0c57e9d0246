/** Conversations as the agent console sees them (`AgentConversation`): with shopper, context and last message. */
import type { AgentConversation, ConversationStatus, PageContext } from '../../src/api/schemas';
import type { Queryable } from './db';
import { unknownCursor, type PageRequest } from './paging';
import { notFound } from './problem';
import { CONVERSATION_COLUMNS, MESSAGE_COLUMNS, toConversation, toMessage, type ConversationRow, type MessageRow } from './rows';
import { shoppersOf } from './shoppers';

export const AGENT_CONVERSATION_COLUMNS = `${CONVERSATION_COLUMNS}, site, owner, context`;
export interface AgentConversationRow extends ConversationRow {
  site: string;
  owner: string;
  context: PageContext | null;
}

/** Maps rows, reading the last messages and the shoppers of all of them in two queries. */
export async function toAgentConversations(q: Queryable, rows: AgentConversationRow[]): Promise<AgentConversation[]> {
  const ids = rows.map((row) => row.id);
  const last = ids.length
    ? await q.query<MessageRow>(
        `select distinct on (conversation_id) ${MESSAGE_COLUMNS} from messages
         where conversation_id = any($1) order by conversation_id, seq desc`,
        [ids],
      )
    : [];
  const lastOf = new Map(last.map((row) => [row.conversation_id, toMessage(row)]));
  const shopperOf = await shoppersOf(q, rows);
  return rows.map((row) => ({
    ...toConversation(row),
    shopper: shopperOf(row.site, row.owner),
    context: row.context ?? null,
    lastMessage: lastOf.get(row.id) ?? null,
  }));
}

/** Any conversation, for the agent; 404 when missing. `lock` holds it until the transaction ends. */
export async function agentConversationRow(q: Queryable, id: string, lock = false): Promise<AgentConversationRow> {
  const [row] = await q.query<AgentConversationRow>(
    `select ${AGENT_CONVERSATION_COLUMNS} from conversations where id = $1${lock ? ' for update' : ''}`,
    [id],
  );
  if (!row) throw notFound('Conversation');
  return row;
}

export async function agentConversation(q: Queryable, id: string): Promise<AgentConversation> {
  const [conversation] = await toAgentConversations(q, [await agentConversationRow(q, id)]);
  return conversation!;
}

/** One page of conversations in these statuses (of one site or all), most recently active first. */
export async function agentConversationPage(
  q: Queryable, filter: { statuses: ConversationStatus[]; site: string | null }, { limit, cursor }: PageRequest,
) {
  if (cursor) {
    const [known] = await q.query(
      'select 1 from conversations where id = $1 and status = any($2) and ($3::text is null or site = $3)',
      [cursor, filter.statuses, filter.site],
    );
    if (!known) throw unknownCursor();
  }
  return q.query<AgentConversationRow>(
    `select ${AGENT_CONVERSATION_COLUMNS} from conversations
     where status = any($1) and ($2::text is null or site = $2)
       and ($3::text is null or (updated_at, id) < (select updated_at, id from conversations where id = $3))
     order by updated_at desc, id desc limit $4`,
    [filter.statuses, filter.site, cursor, limit + 1],
  );
}
