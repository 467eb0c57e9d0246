import { Back } from './Back';
import { useServices } from './context';
import { Timeline } from './Timeline';
import { useOrder } from './useOrder';

/** One order: items, each shipment with its tracking timeline, and what the shopper can do about it. */
export function OrderView({ id }: { id: string }) {
  const { i18n, go, askInChat } = useServices();
  const { t } = i18n;
  const { order, waiting } = useOrder(id);
  if (!order) return waiting;
  const refundable = !!order.refundableUntil && new Date(order.refundableUntil) > new Date() &&
    order.items.some((item) => item.refundableQuantity > 0);
  const ask = () => askInChat(i18n.fill('aboutOrder', { number: order.number }));

  return (
    <div class="scroll">
      <Back to="orders" />
      <h3>{i18n.fill('orderNumber', { number: order.number })} <span class={`badge ${order.status}`}>{t(`os_${order.status}`)}</span></h3>
      <p class="meta">{i18n.when(order.placedAt)} · {i18n.money(order.total)}</p>
      <ul class="items" aria-label={t('items')}>
        {order.items.map((item) => (
          <li key={item.id}>
            <span>{item.name} × {item.quantity}</span>
            <span>{i18n.money({ amount: item.unitPrice.amount * item.quantity, currency: item.unitPrice.currency })}</span>
          </li>
        ))}
      </ul>
      {order.shipments.map((shipment) => (
        <section key={shipment.id} class="card" aria-label={i18n.fill('shipment', { carrier: shipment.carrier })}>
          <p>
            <strong>{shipment.carrier}</strong> {shipment.trackingNumber} · <span class={`badge ${shipment.status}`}>{t(`ss_${shipment.status}`)}</span>
          </p>
          {shipment.estimatedDelivery && <p class="meta">{i18n.fill('eta', { time: i18n.when(shipment.estimatedDelivery) })}</p>}
          <Timeline label={t('tracking')} when={i18n.when}
            steps={shipment.events.map((event) => ({ title: event.description, at: event.at, by: event.location }))} />
        </section>
      ))}
      <div class="actions-bar">
        {refundable && <button type="button" class="primary" onClick={() => go({ refund: order.id })}>{t('refundOrReturn')}</button>}
        <button type="button" onClick={() => go({ complaint: order.id })}>{t('fileComplaint')}</button>
        <button type="button" onClick={ask}>{t('askAboutOrder')}</button>
      </div>
    </div>
  );
}
