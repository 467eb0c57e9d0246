import type { DeskTicket } from '../core/desk';
import { useServices } from './context';

/** A ticket in a list: kind and category, live status (or *sending* / *not sent*), last change. */
export function TicketRow({ ticket }: { ticket: DeskTicket }) {
  const { i18n, go } = useServices();
  const { t } = i18n;
  const state = ticket.local === 'sending' ? t('sending') : ticket.local === 'failed' ? t('failed') : t(`st_${ticket.status}`);
  return (
    <li>
      <button type="button" class="row" onClick={() => go({ ticket: ticket.clientId })}>
        <span>
          <strong>{t(`kind_${ticket.kind}`)}</strong> · {i18n.known(`cat_${ticket.category}`, ticket.category)}
        </span>
        <span class={`badge ${ticket.local ?? ticket.status}`}>{state}</span>
        <span class="meta">{i18n.when(ticket.updatedAt)}</span>
      </button>
    </li>
  );
}
