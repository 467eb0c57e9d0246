/** Database rows → contract resources: one mapper per resource, shared by shopper and agent routes. */
import type { Conversation, Message, QuickAction } from '../../src/api/schemas';

export const iso = (value: Date | string) => new Date(value).toISOString();

export const CONVERSATION_COLUMNS = 'id, client_id, status, created_at, updated_at, shopper_read, agent_read';
export interface ConversationRow {
  id: string;
  client_id: string;
  status: Conversation['status'];
  created_at: Date;
  updated_at: Date;
  /** Read positions (message ids); absent from rows selected without them. */
  shopper_read?: string | null;
  agent_read?: string | null;
}
export const toConversation = (row: ConversationRow): Conversation => ({
  id: row.id,
  clientId: row.client_id,
  status: row.status,
  createdAt: iso(row.created_at),
  updatedAt: iso(row.updated_at),
  shopperRead: row.shopper_read ?? null,
  agentRead: row.agent_read ?? null,
});

export const MESSAGE_COLUMNS = 'id, conversation_id, client_id, author, text, extra, attachment_ids, created_at';
export interface MessageRow {
  id: string;
  conversation_id: string;
  client_id: string | null;
  author: Message['author'];
  text: string;
  extra: { articleIds?: string[]; actions?: QuickAction[] };
  attachment_ids: string[];
  created_at: Date;
}
export const toMessage = (row: MessageRow): Message => ({
  id: row.id,
  clientId: row.client_id,
  conversationId: row.conversation_id,
  author: row.author,
  text: row.text,
  createdAt: iso(row.created_at),
  attachmentIds: row.attachment_ids,
  ...(row.extra.articleIds?.length ? { articleIds: row.extra.articleIds } : {}),
  ...(row.extra.actions?.length ? { actions: row.extra.actions } : {}),
});
