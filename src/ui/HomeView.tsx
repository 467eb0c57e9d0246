import { useEffect } from 'preact/hooks';
import type { Suggestion } from '../api/schemas';
import { isClosed } from '../api/ticketFlow';
import type { Chat } from '../core/chat';
import type { Desk } from '../core/desk';
import { Composer } from './Composer';
import { useServices, type PanelView } from './context';
import { TicketRow } from './TicketRow';

/** Home: a greeting, questions suggested for this page, the open tickets and the last chat, and a box to ask. */
export function HomeView({ chat, desk }: { chat: Chat; desk: Desk }) {
  const { i18n, go, draft, page } = useServices();
  const { t } = i18n;
  const context = page();
  useEffect(() => {
    void desk.loadSuggestions(context);
    void desk.loadTickets();
  }, [context.page, context.orderId, context.productId]);

  const open = (desk.tickets.value.value ?? []).filter((ticket) => !isClosed(ticket.status, ticket.appealable)).slice(0, 3);
  const last = chat.messages.value.at(-1);
  const ask = async (text: string) => {
    go('chat');
    await chat.send(text);
  };
  const pick = (suggestion: Suggestion) => {
    const target: PanelView | undefined = suggestion.articleId ? { article: suggestion.articleId }
      : suggestion.action === 'track_order' || suggestion.action === 'start_refund' ? 'orders'
      : suggestion.action === 'file_complaint' ? { complaint: context.orderId ?? '' } : undefined;
    if (target) go(target);
    else void ask(suggestion.text);
  };

  return (
    <>
      <div class="scroll">
        <p class="lead">{t('greeting')}</p>
        {desk.suggestions.value.length > 0 && (
          <section aria-labelledby="kefu-suggested">
            <h3 id="kefu-suggested">{t('suggested')}</h3>
            <ul class="chips">
              {desk.suggestions.value.map((suggestion) => (
                <li key={suggestion.id}>
                  <button type="button" onClick={() => pick(suggestion)}>{suggestion.text}</button>
                </li>
              ))}
            </ul>
          </section>
        )}
        <nav class="shortcuts" aria-label={t('shortcuts')}>
          <button type="button" onClick={() => go('orders')}>{t('trackOrder')}</button>
          <button type="button" onClick={() => go('orders')}>{t('refundOrReturn')}</button>
          <button type="button" onClick={() => go({ complaint: context.orderId ?? '' })}>{t('fileComplaint')}</button>
          <button type="button" onClick={() => go('help')}>{t('searchHelp')}</button>
        </nav>
        {open.length > 0 && (
          <section aria-labelledby="kefu-open">
            <h3 id="kefu-open">{t('openTickets')}</h3>
            <ul class="rows">{open.map((ticket) => <TicketRow key={ticket.clientId} ticket={ticket} />)}</ul>
          </section>
        )}
        {last && (
          <section aria-labelledby="kefu-recent">
            <h3 id="kefu-recent">{t('recentChat')}</h3>
            <button type="button" class="row" onClick={() => go('chat')}>
              <span class="clip">{last.text}</span>
              <span class="meta">{i18n.time(last.createdAt)}</span>
            </button>
          </section>
        )}
      </div>
      <Composer draft={draft.value} onDraft={(text) => (draft.value = text)} onSend={ask} />
    </>
  );
}
