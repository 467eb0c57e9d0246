import { useEffect } from 'preact/hooks';
import { useViewStyles } from './viewStyles';
import { useServices, type PanelView } from './context';
import { OrderView } from './OrderView';
import { RefundFlow } from './RefundFlow';

/** Orders: the signed-in shopper's orders, one order's detail, or the refund / return flow. */
export function OrdersView({ view }: { view: PanelView }) {
  useViewStyles();
  const { desk, i18n, go } = useServices();
  const { t } = i18n;
  useEffect(() => void desk!.loadOrders(), []);
  if (typeof view === 'object' && 'refund' in view) return <RefundFlow key={view.refund} orderId={view.refund} preset={view.items} />;
  if (typeof view === 'object' && 'order' in view) return <OrderView key={view.order} id={view.order} />; // A new order, a fresh view: never the last one's buttons.

  const { value: orders, error, staleAt } = desk!.orders.value;
  return (
    <div class="scroll">
      {!desk!.signedIn ? (
        <p class="empty">{t('signInForOrders')}</p>
      ) : !orders ? (
        <p class="empty" role={error ? 'alert' : 'status'}>{error ? t('errorLoad') : t('loading')}</p>
      ) : !orders.length ? (
        <p class="empty">{t('noOrders')}</p>
      ) : (
        <>
          {staleAt && <p class="notice">{i18n.fill('asOf', { time: i18n.when(new Date(staleAt).toISOString()) })}</p>}
          <ul class="rows" aria-label={t('tab_orders')}>
            {orders.map((order) => (
              <li key={order.id}>
                <button type="button" class="row" onClick={() => go({ order: order.id })}>
                  <span>
                    <strong>{i18n.fill('orderNumber', { number: order.number })}</strong> · {order.items.map((item) => item.name).join(', ')}
                  </span>
                  <span class={`badge ${order.status}`}>{t(`os_${order.status}`)}</span>
                  <span class="meta">{i18n.when(order.placedAt)} · {i18n.money(order.total)}</span>
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
