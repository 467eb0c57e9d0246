import type { ComponentChildren } from 'preact';
import type { ChatMessage } from '../core/chat';
import { useServices } from './context';
import { Linkified } from './Linkified';
import { Thumbnail } from './Thumbnail';

interface Props {
  message: ChatMessage;
  /** The agent has read up to this message of the shopper's. */
  read?: boolean;
  onRetry: () => void;
  onEdit: () => void;
  onDiscard: () => void;
  /** Article cards and quick replies under a bot message. */
  children?: ComponentChildren;
}

/** One message, rendered as text (never HTML), with its delivery state for the shopper's own. */
export function MessageBubble({ message, read, onRetry, onEdit, onDiscard, children }: Props) {
  const i18n = useServices().i18n;
  const { t, time } = i18n;
  const mine = message.author === 'shopper';
  const who = message.author === 'shopper' ? t('you') : t(message.author);
  const state = mine ? (message.status === 'sent' ? t(read ? 'read' : 'sent') : message.status === 'sending' ? t('sending') : t('failed')) : '';
  return (
    <div class={`msg ${message.author} ${message.status}`} data-status={message.status}>
      <span class="sr">{who}:</span>
      <p>{message.author === 'system' ? i18n.known(`sys_${message.text}`, message.text) : <Linkified text={message.text} />}</p>
      {message.attachmentIds?.map((id, i) => <Thumbnail key={i} id={id} pending={message.status !== 'sent'} />)}
      {children}
      <span class="meta">
        {mine ? state : who} · <time dateTime={message.createdAt}>{time(message.createdAt)}</time>
        {message.status === 'failed' && message.reason ? ` — ${message.reason}` : ''}
      </span>
      {message.status === 'failed' && (
        <span class="actions">
          <button type="button" onClick={onRetry}>{t('retry')}</button>
          <button type="button" onClick={onEdit}>{t('edit')}</button>
          <button type="button" onClick={onDiscard}>{t('discard')}</button>
        </span>
      )}
    </div>
  );
}
