import { useEffect, useState } from 'preact/hooks';
import type { Order } from '../api/schemas';
import { Back } from './Back';
import { useServices } from './context';

/**
 * One order, fresh from the server (the list's copy shows meanwhile); `waiting` is what to render
 * until it is there: loading, or why it could not load, with the way back to the orders.
 */
export function useOrder(id: string) {
  const { desk, i18n } = useServices();
  const [order, setOrder] = useState<Order | undefined>(desk!.order(id));
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    desk!.fetchOrder(id).then(setOrder, () => setFailed(true));
  }, [id]);
  const waiting = (
    <div class="scroll">
      <Back to="orders" />
      <p class="empty" role={failed ? 'alert' : 'status'}>{i18n.t(failed ? 'errorLoad' : 'loading')}</p>
    </div>
  );
  return { order, waiting };
}
