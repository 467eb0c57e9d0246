import { useState } from 'preact/hooks';
import type { TicketItem } from '../api/schemas';
import { Attachments } from './Attachments';
import { Back } from './Back';
import { useServices } from './context';
import { useDraft } from './useDraft';
import { useOrder } from './useOrder';

const reasons = ['damaged', 'wrong_item', 'not_as_described', 'late', 'changed_mind', 'other'] as const;

/**
 * Refund or return: items and quantities → reason → optional photos → the amount → submit. The
 * request goes through the outbox (offline too) and the shopper lands on its timeline.
 */
export function RefundFlow({ orderId, preset }: { orderId: string; preset?: TicketItem[] | undefined }) {
  const { desk, i18n, go } = useServices();
  const { t } = i18n;
  const { order, waiting } = useOrder(orderId);
  const draft = useDraft(`refund:${orderId}`, () => ({
    kind: 'refund' as 'refund' | 'return',
    quantities: Object.fromEntries((preset ?? []).map((item) => [item.orderItemId, item.quantity])) as Record<string, number>,
    reason: '',
    description: '',
  }));
  const { update } = draft;
  const [attachments, setAttachments] = useState<string[]>([]);
  const [invalid, setInvalid] = useState('');
  if (!order) return waiting;
  const items = order.items.filter((item) => item.refundableQuantity > 0);
  /** The lines asked for and what they are worth, from the form as it is now. */
  const choice = ({ quantities }: typeof form) => {
    const lines = items.flatMap((item) => (quantities[item.id] ? [{ orderItemId: item.id, quantity: quantities[item.id]!, item }] : []));
    return { lines, amount: lines.reduce((sum, line) => sum + line.item.unitPrice.amount * line.quantity, 0) };
  };
  const form = draft.value;
  const { amount } = choice(form);

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = draft.value;
    const { lines, amount } = choice(form);
    const missing = !lines.length ? 'refund-items' : !form.reason ? 'refund-reason' : !form.description.trim() ? 'refund-text' : '';
    setInvalid(missing);
    if (missing) {
      (event.currentTarget as HTMLFormElement).querySelector<HTMLElement>(`#kefu-${missing}`)?.focus();
      return;
    }
    const clientId = await desk!.fileTicket({
      kind: form.kind,
      orderId,
      items: lines.map(({ orderItemId, quantity }) => ({ orderItemId, quantity })),
      category: form.reason,
      description: form.description.trim(),
      amount,
      attachmentIds: attachments.length ? attachments : undefined,
    });
    draft.clear();
    go({ ticket: clientId });
  };

  return (
    <form class="scroll flow" onSubmit={submit} noValidate>
      <Back to={{ order: orderId }} />
      <h3>{i18n.fill('refundTitle', { number: order.number })}</h3>
      <fieldset class="choice">
        <legend>{t('refundKind')}</legend>
        {(['refund', 'return'] as const).map((kind) => (
          <label key={kind}>
            <input type="radio" name="kefu-kind" checked={form.kind === kind} onChange={() => update({ kind })} />
            {t(`kindHint_${kind}`)}
          </label>
        ))}
      </fieldset>
      <fieldset id="kefu-refund-items" tabIndex={-1} aria-invalid={invalid === 'refund-items'} aria-describedby="kefu-refund-items-error">
        <legend>{t('chooseItems')}</legend>
        {items.map((item) => (
          <label key={item.id} class="item-qty">
            <span>{item.name} · {i18n.money(item.unitPrice)}</span>
            <input type="number" min={0} max={item.refundableQuantity} value={form.quantities[item.id] ?? 0}
              aria-label={i18n.fill('quantityOf', { name: item.name, max: item.refundableQuantity })}
              onInput={(event) => update({ quantities: { ...draft.value.quantities, [item.id]: Math.max(0, Math.min(item.refundableQuantity, Number(event.currentTarget.value) || 0)) } })} />
          </label>
        ))}
        {invalid === 'refund-items' && <p id="kefu-refund-items-error" class="error">{t('needItems')}</p>}
      </fieldset>
      <label for="kefu-refund-reason">{t('reason')}</label>
      <select id="kefu-refund-reason" value={form.reason} aria-invalid={invalid === 'refund-reason'}
        onChange={(event) => update({ reason: event.currentTarget.value })}>
        <option value="">{t('choose')}</option>
        {reasons.map((reason) => <option key={reason} value={reason}>{t(`cat_${reason}`)}</option>)}
      </select>
      <label for="kefu-refund-text">{t('describe')}</label>
      <textarea id="kefu-refund-text" rows={3} maxLength={4000} value={form.description} aria-invalid={invalid === 'refund-text'}
        onInput={(event) => update({ description: event.currentTarget.value })} />
      {invalid && invalid !== 'refund-items' && <p class="error" role="alert">{t(invalid === 'refund-reason' ? 'needReason' : 'needText')}</p>}
      <Attachments label={t('addPhotos')} lane="tickets" onChange={setAttachments} />
      <p class="total" aria-live="polite">{t('refundAmount')} <strong>{i18n.money({ amount, currency: order.total.currency })}</strong></p>
      <button type="submit" class="primary">{t(form.kind === 'refund' ? 'submitRefund' : 'submitReturn')}</button>
    </form>
  );
}
