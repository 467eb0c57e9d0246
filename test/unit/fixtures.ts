// Data for the widget's component tests: a small bilingual FAQ and a shipped order.
import type { Article, Order } from '../../src/api/schemas';

const at = (daysAgo: number, hour = 10) => new Date(Date.UTC(2026, 10, 20 - daysAgo, hour)).toISOString();

export const articlesFixture = (): Article[] => [
  { id: 'a_refund', title: 'How do I get a refund?', body: 'Open **Orders**, pick the order and choose *Refund or return*.\n\n- Refunds take 3–5 days\n- See [our policy](https://shop.example/refunds)', tags: ['refund'], locale: 'en', updatedAt: at(30) },
  { id: 'a_delivery', title: 'When will my parcel arrive?', body: 'Most parcels arrive within 3 working days.', tags: ['delivery'], locale: 'en', updatedAt: at(30) },
  { id: 'a_size', title: 'Which lamp size fits my room?', body: 'Small lamps suit desks; large ones suit living rooms.', tags: ['product'], locale: 'en', updatedAt: at(30) },
  { id: 'a_tuikuan', title: '如何申请退款？', body: '在订单页选择要退款的商品，提交申请即可。', tags: ['refund'], locale: 'zh-CN', updatedAt: at(30) },
  { id: 'a_wuliu', title: '包裹什么时候送到？', body: '大部分包裹三个工作日内送达。', tags: ['delivery'], locale: 'zh-CN', updatedAt: at(30) },
];

export const orderFixture = (): Order => ({
  id: 'o_1001',
  number: 'LL-1001',
  status: 'shipped',
  placedAt: at(3),
  total: { amount: 9_700, currency: 'USD' },
  items: [
    { id: 'i_lamp', productId: 'p_lamp', name: 'Paper lantern', quantity: 2, unitPrice: { amount: 3_900, currency: 'USD' }, refundableQuantity: 2 },
    { id: 'i_rug', productId: 'p_rug', name: 'Wool rug', quantity: 1, unitPrice: { amount: 1_900, currency: 'USD' }, refundableQuantity: 1 },
  ],
  shipments: [{
    id: 's_1', carrier: 'SF Express', trackingNumber: 'SF123456', status: 'in_transit', estimatedDelivery: at(-2),
    events: [
      { at: at(2), status: 'label_created', description: 'Label created', location: 'Hangzhou' },
      { at: at(1), status: 'in_transit', description: 'Left the sorting centre', location: 'Shanghai' },
    ],
  }],
  refundableUntil: at(-30),
});
