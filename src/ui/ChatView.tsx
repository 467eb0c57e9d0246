import { useEffect, useRef, useState } from 'preact/hooks';
import type { QuickAction } from '../api/schemas';
import { isNotConfigured, type Chat } from '../core/chat';
import { Composer } from './Composer';
import { useServices, type PanelView } from './context';
import { MessageBubble } from './MessageBubble';
import { NotConfigured } from './NotConfigured';
import { lazyView } from './lazyView';

/** The rating form arrives with the closing of a chat, not with the first open. */
const Rating = lazyView(() => import('./Rating').then((module) => module.Rating));

/** How many messages are in the DOM at first; scrolling up adds this many more (a windowed list). */
const WINDOW = 30;

/** The conversation: bot first, a person on request, a live log of messages and the composer. */
export function ChatView({ chat }: { chat: Chat }) {
  const { i18n, draft, desk, go } = useServices();
  const { t } = i18n;
  const log = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(WINDOW);
  const setDraft = (text: string) => void (draft.value = text);
  const messages = chat.messages.value;
  const phase = chat.phase.value;
  const conversation = chat.conversation.value;
  const typing = chat.typing.value;
  const articles = desk?.articles.value.value;
  const locale = i18n.locale.value;

  useEffect(() => void desk?.loadArticles(locale), [locale]);
  useEffect(() => {
    log.current?.scrollTo({ top: log.current.scrollHeight });
  }, [messages.length, typing]);

  if (phase === 'error' && isNotConfigured(chat.error.value)) return <NotConfigured />;

  const edit = (clientId: string, text: string) => {
    setDraft(text);
    void chat.discard(clientId);
  };
  // Older messages join the DOM as the shopper scrolls up; the scroll position stays on what they read.
  const onScroll = () => {
    const list = log.current;
    if (!list || list.scrollTop > 40 || shown >= messages.length) return;
    const from = list.scrollHeight - list.scrollTop;
    setShown(shown + WINDOW);
    requestAnimationFrame(() => (list.scrollTop = list.scrollHeight - from));
  };
  const act = (action: QuickAction) => {
    const target: PanelView | undefined = action === 'track_order' || action === 'start_refund' ? 'orders'
      : action === 'file_complaint' ? { complaint: '' } : undefined;
    if (target) go(target);
    else void chat.handoff();
  };
  const status = conversation?.status;
  // "Read" goes under the shopper's last message at or before the agent's read position.
  const agentRead = messages.findIndex((m) => m.id === chat.agentRead.value);
  const seen = messages.findLast((m, i) => i <= agentRead && m.author === 'shopper');

  return (
    <>
      {!chat.durable && <p class="notice">{t('notDurable')}</p>}
      {chat.stream.value === 'closed' && phase === 'ready' && <p class="notice" role="status">{t('offline')}</p>}
      {phase === 'error' && <p class="notice" role="alert">{t('errorNetwork')}</p>}
      {(status === 'queued' || status === 'agent') && (
        <p class="notice" role="status">{t(status === 'queued' ? 'waitingForPerson' : 'withPerson')}</p>
      )}
      <div ref={log} class="log" role="log" aria-live="polite" aria-label={t('messages')} tabIndex={0} onScroll={onScroll}>
        {phase === 'loading' && messages.length === 0 && <p class="empty">{t('loading')}</p>}
        {phase !== 'loading' && messages.length === 0 && <p class="empty">{t('greeting')}</p>}
        {messages.slice(-shown).map((message) => (
          <MessageBubble
            key={message.clientId ?? message.id}
            message={message}
            read={message === seen}
            onRetry={() => void chat.retry(message.clientId ?? message.id)}
            onEdit={() => edit(message.clientId ?? message.id, message.text)}
            onDiscard={() => void chat.discard(message.clientId ?? message.id)}
          >
            {message.articleIds?.map((id) => {
              const article = articles?.find((a) => a.id === id);
              return article && (
                <button key={id} type="button" class="card-link" onClick={() => go({ article: id })}>{article.title}</button>
              );
            })}
            {message.actions?.map((action) => (
              <button key={action} type="button" class="chip" onClick={() => act(action)}>{t(`qa_${action}`)}</button>
            ))}
          </MessageBubble>
        ))}
        {typing && <p class="typing meta" role="status">{i18n.fill('typing', { who: t(typing === 'bot' ? 'bot' : 'agent') })}</p>}
      </div>
      {status === 'closed' && conversation && <Rating subject={{ type: 'conversation', id: conversation.id }} prompt={t('rateChat')} />}
      {status !== 'closed' && status !== 'queued' && status !== 'agent' && messages.length > 0 && (
        <button type="button" class="link person" onClick={() => void chat.handoff()}>{t('talkToPerson')}</button>
      )}
      <Composer draft={draft.value} onDraft={setDraft} onSend={chat.send} lane={chat.lane} />
    </>
  );
}
