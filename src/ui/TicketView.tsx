import { useEffect, useState } from 'preact/hooks';
import { isClosed } from '../api/ticketFlow';
import { Back } from './Back';
import { useServices } from './context';
import { Rating } from './Rating';
import { Timeline } from './Timeline';

/** One ticket: live status, the promise (`dueAt`), every step with who acted, comments, appeal, rating. */
export function TicketView({ id }: { id: string }) {
  const { desk, i18n } = useServices();
  const { t } = i18n;
  const [text, setText] = useState('');
  const [appeal, setAppeal] = useState('');
  const ticket = desk!.ticket(id);
  const [missing, setMissing] = useState(false);
  // Fresh from the server: a ticket beyond the list's first page, or one opened by id, loads here.
  useEffect(() => {
    if (!ticket?.local) desk!.refreshTicket(ticket?.id ?? id).then((found) => setMissing(!found));
  }, [id, !!ticket?.local]);

  if (!ticket) {
    return (
      <div class="scroll">
        <Back to="tickets" />
        <p class="empty" role="status">{missing ? t('notFound') : t('loading')}</p>
      </div>
    );
  }
  const closed = isClosed(ticket.status, ticket.appealable);
  const who = (actor: string) => t(actor === 'shopper' ? 'you' : actor === 'agent' ? 'agent' : 'system');
  /** The form's text as it is in the field now (an input and a submit in one task both count). */
  const field = (event: Event) => {
    event.preventDefault();
    return ((event.currentTarget as HTMLFormElement).querySelector('textarea')?.value ?? '').trim();
  };
  const send = (event: Event) => {
    const note = field(event);
    if (!note) return;
    void desk!.comment(ticket.id, note);
    setText('');
  };
  const sendAppeal = (event: Event) => {
    const reason = field(event);
    if (reason) void desk!.appeal(ticket.id, reason);
  };

  return (
    <div class="scroll">
      <Back to="tickets" />
      <h3>
        {t(`kind_${ticket.kind}`)} · {i18n.known(`cat_${ticket.category}`, ticket.category)}{' '}
        <span class={`badge ${ticket.local ?? ticket.status}`} role="status">
          {ticket.local === 'sending' ? t('sending') : ticket.local === 'failed' ? t('failed') : t(`st_${ticket.status}`)}
        </span>
      </h3>
      {ticket.local === 'failed' && (
        <div class="notice" role="alert">
          {ticket.reason}{' '}
          <button type="button" class="link" onClick={() => void desk!.retry(ticket.clientId)}>{t('retry')}</button>
          <button type="button" class="link" onClick={() => void desk!.discard(ticket.clientId)}>{t('discard')}</button>
        </div>
      )}
      {ticket.local === 'sending' && <p class="meta">{t('ticketQueued')}</p>}
      {ticket.dueAt && !closed && <p class="meta">{i18n.fill('dueBy', { time: i18n.when(ticket.dueAt) })}</p>}
      {ticket.amount && <p>{t('refundAmount')} <strong>{i18n.money(ticket.amount)}</strong></p>}
      <p class="quote">{ticket.description}</p>
      <Timeline label={t('progress')} when={i18n.when}
        steps={ticket.timeline.map((step) => ({ title: t(`st_${step.status}`), at: step.at, by: who(step.actor), note: step.note }))} />
      {ticket.status === 'rejected' && ticket.appealable && (
        <form class="card" onSubmit={sendAppeal}>
          <label for="kefu-appeal">{t('appealWhy')}</label>
          <textarea id="kefu-appeal" rows={3} maxLength={4000} value={appeal} onInput={(event) => setAppeal(event.currentTarget.value)} />
          <button type="submit" class="primary">{t('appeal')}</button>
        </form>
      )}
      {(ticket.status === 'resolved' || ticket.status === 'refunded') && (
        <Rating subject={{ type: 'ticket', id: ticket.id }} prompt={t('rateTicket')} />
      )}
      {!ticket.local && (
        <section aria-labelledby="kefu-comments">
          <h3 id="kefu-comments">{t('comments')}</h3>
          <ul class="comments">
            {ticket.comments.map((comment) => (
              <li key={comment.id} class={comment.author}>
                <span class="meta">{who(comment.author)} · {i18n.when(comment.createdAt)}</span>
                <p>{comment.text}</p>
              </li>
            ))}
          </ul>
          <form class="composer" onSubmit={send}>
            <label class="sr" for="kefu-comment">{t('addComment')}</label>
            <textarea id="kefu-comment" rows={1} maxLength={4000} placeholder={t('addComment')} value={text}
              onInput={(event) => setText(event.currentTarget.value)} />
            <button type="submit" class="send">{t('send')}</button>
          </form>
        </section>
      )}
    </div>
  );
}
