import { useEffect, useRef } from 'preact/hooks';
import { isNotConfigured, type Chat } from '../core/chat';
import { Composer } from './Composer';
import { useServices } from './context';
import { MessageBubble } from './MessageBubble';
import { NotConfigured } from './NotConfigured';

/** The conversation: a live log of messages and the composer. */
export function ChatView({ chat }: { chat: Chat }) {
  const { i18n, draft } = useServices();
  const { t } = i18n;
  const log = useRef<HTMLDivElement>(null);
  const setDraft = (text: string) => void (draft.value = text);
  const messages = chat.messages.value;
  const phase = chat.phase.value;

  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [messages.length]);

  if (phase === 'error' && isNotConfigured(chat.error.value)) return <NotConfigured />;

  const edit = (clientId: string, text: string) => {
    setDraft(text);
    void chat.discard(clientId);
  };

  return (
    <>
      {!chat.durable && <p class="notice">{t('notDurable')}</p>}
      {chat.stream.value === 'closed' && phase === 'ready' && <p class="notice" role="status">{t('offline')}</p>}
      {phase === 'error' && <p class="notice" role="alert">{t('errorNetwork')}</p>}
      <div ref={log} class="log" role="log" aria-live="polite" aria-label={t('messages')} tabIndex={0}>
        {phase === 'loading' && messages.length === 0 && <p class="empty">{t('loading')}</p>}
        {phase !== 'loading' && messages.length === 0 && <p class="empty">{t('greeting')}</p>}
        {messages.map((message) => (
          <MessageBubble
            key={message.clientId ?? message.id}
            message={message}
            onRetry={() => void chat.retry(message.clientId ?? message.id)}
            onEdit={() => edit(message.clientId ?? message.id, message.text)}
            onDiscard={() => void chat.discard(message.clientId ?? message.id)}
          />
        ))}
      </div>
      <Composer draft={draft.value} onDraft={setDraft} onSend={(text) => chat.send(text)} />
    </>
  );
}
