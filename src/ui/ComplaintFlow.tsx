import { useEffect, useState } from 'preact/hooks';
import { promiseHours } from '../api/ticketFlow';
import { Attachments } from './Attachments';
import { Back } from './Back';
import { useServices } from './context';
import { useDraft } from './useDraft';

const categories = ['product', 'delivery', 'service', 'billing', 'other'] as const;

/** A complaint: category, optional order, what happened, evidence; the promised answer time shown up front. */
export function ComplaintFlow({ orderId }: { orderId: string }) {
  const { desk, i18n, go } = useServices();
  const { t } = i18n;
  const draft = useDraft(`complaint:${orderId}`, () => ({ category: '', orderId, description: '' }));
  const { update } = draft;
  const [attachments, setAttachments] = useState<string[]>([]);
  const [invalid, setInvalid] = useState('');
  useEffect(() => void desk!.loadOrders(), []);
  const orders = desk!.orders.value.value ?? [];
  const form = draft.value;

  const submit = async (event: Event) => {
    event.preventDefault();
    const form = draft.value;
    const missing = !form.category ? 'complaint-category' : !form.description.trim() ? 'complaint-text' : '';
    setInvalid(missing);
    if (missing) {
      (event.currentTarget as HTMLFormElement).querySelector<HTMLElement>(`#kefu-${missing}`)?.focus();
      return;
    }
    const clientId = await desk!.fileTicket({
      kind: 'complaint',
      orderId: form.orderId || undefined,
      category: form.category,
      description: form.description.trim(),
      attachmentIds: attachments.length ? attachments : undefined,
    });
    draft.clear();
    go({ ticket: clientId });
  };

  return (
    <form class="scroll flow" onSubmit={submit} noValidate>
      <Back to="tickets" />
      <h3>{t('fileComplaint')}</h3>
      <p class="meta">{i18n.fill('promise', { hours: promiseHours.submitted ?? 24 })}</p>
      <label for="kefu-complaint-category">{t('category')}</label>
      <select id="kefu-complaint-category" value={form.category} aria-invalid={invalid === 'complaint-category'}
        onChange={(event) => update({ category: event.currentTarget.value })}>
        <option value="">{t('choose')}</option>
        {categories.map((category) => <option key={category} value={category}>{t(`cat_${category}`)}</option>)}
      </select>
      {orders.length > 0 && (
        <>
          <label for="kefu-complaint-order">{t('aboutWhichOrder')}</label>
          <select id="kefu-complaint-order" value={form.orderId} onChange={(event) => update({ orderId: event.currentTarget.value })}>
            <option value="">{t('noOrder')}</option>
            {orders.map((order) => <option key={order.id} value={order.id}>{i18n.fill('orderNumber', { number: order.number })}</option>)}
          </select>
        </>
      )}
      <label for="kefu-complaint-text">{t('describe')}</label>
      <textarea id="kefu-complaint-text" rows={4} maxLength={4000} value={form.description} aria-invalid={invalid === 'complaint-text'}
        onInput={(event) => update({ description: event.currentTarget.value })} />
      {invalid && <p class="error" role="alert">{t(invalid === 'complaint-category' ? 'needCategory' : 'needText')}</p>}
      <Attachments label={t('addEvidence')} lane="tickets" onChange={setAttachments} />
      <button type="submit" class="primary">{t('submitComplaint')}</button>
    </form>
  );
}
