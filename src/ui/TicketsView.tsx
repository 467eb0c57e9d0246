import { useEffect } from 'preact/hooks';
import { ComplaintFlow } from './ComplaintFlow';
import { useViewStyles } from './viewStyles';
import { useServices, type PanelView } from './context';
import { TicketRow } from './TicketRow';
import { TicketView } from './TicketView';

/** Tickets: every complaint, refund, return and appeal with its live status; one ticket; a new complaint. */
export function TicketsView({ view }: { view: PanelView }) {
  useViewStyles();
  const { desk, i18n, go } = useServices();
  const { t } = i18n;
  useEffect(() => void desk!.loadTickets(), []);
  if (typeof view === 'object' && 'complaint' in view) return <ComplaintFlow orderId={view.complaint} />;
  if (typeof view === 'object' && 'ticket' in view) return <TicketView key={view.ticket} id={view.ticket} />;

  const { value: tickets, error, staleAt } = desk!.tickets.value;
  return (
    <div class="scroll">
      <button type="button" class="primary" onClick={() => go({ complaint: '' })}>{t('fileComplaint')}</button>
      {staleAt && <p class="notice">{i18n.fill('asOf', { time: i18n.when(new Date(staleAt).toISOString()) })}</p>}
      {!tickets ? (
        <p class="empty" role={error ? 'alert' : 'status'}>{error ? t('errorLoad') : t('loading')}</p>
      ) : !tickets.length ? (
        <p class="empty">{t('noTickets')}</p>
      ) : (
        <ul class="rows" aria-label={t('tab_tickets')}>
          {tickets.map((ticket) => <TicketRow key={ticket.clientId} ticket={ticket} />)}
        </ul>
      )}
    </div>
  );
}
