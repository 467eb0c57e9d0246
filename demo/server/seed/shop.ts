/**
 * The demo shop "Lantern & Loom" (lamps and textiles): its two shoppers and their orders, shipments
 * and tracking, dated relative to the first start so the refund windows and delays are live.
 * Idempotent: existing rows are kept as they are (a restarted demo keeps its tickets consistent).
 */
import type { OrderStatus, Shipment } from '../../../src/api/schemas';
import type { Db } from '../db';
import type { StoredOrderItem } from '../orders';
import { seedInsightsHistory } from './insights';

const SITE = 'pk_demo';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

interface SeedOrder {
  id: string;
  owner: string;
  number: string;
  status: OrderStatus;
  placedAt: Date;
  refundableUntil: Date | null;
  items: StoredOrderItem[];
  shipments: Shipment[];
}

const shoppers = [
  { owner: 'u:alice', userId: 'alice', name: 'Alice', email: 'alice@example.com' },
  { owner: 'u:bob', userId: 'bob', name: 'Bob', email: 'bob@example.com' },
];

/** The demo orders as of `now`; prices in fen (CNY minor units). */
export function demoOrders(now = Date.now()): SeedOrder[] {
  const ago = (days: number, hours = 0) => new Date(now - days * DAY - hours * HOUR);
  const at = (days: number, hours = 0) => ago(days, hours).toISOString();
  return [
    {
      // Delivered a week ago: inside its 30-day return window.
      id: 'o_ll_10231',
      owner: 'u:alice',
      number: 'LL-10231',
      status: 'delivered',
      placedAt: ago(12),
      refundableUntil: new Date(ago(8).getTime() + 30 * DAY),
      items: [
        { id: 'oi_10231_1', productId: 'p_brass_lotus_lamp', name: 'Brass Lotus Table Lamp', quantity: 1, unitPrice: 38900 },
        { id: 'oi_10231_2', productId: 'p_linen_throw_indigo', name: 'Hand-loomed Linen Throw, Indigo', quantity: 2, unitPrice: 25900 },
        { id: 'oi_10231_3', productId: 'p_rice_paper_pendant', name: 'Rice-paper Lantern Pendant, 45 cm', quantity: 3, unitPrice: 12900 },
      ],
      shipments: [{
        id: 'sh_10231',
        carrier: 'SF Express',
        trackingNumber: 'SF1402938475612',
        status: 'delivered',
        estimatedDelivery: at(8),
        events: [
          { at: at(12, -3), status: 'label_created', description: 'Packed at the Lantern & Loom studio', location: '杭州 Hangzhou' },
          { at: at(11), status: 'in_transit', description: 'Picked up by SF Express', location: '杭州 Hangzhou' },
          { at: at(10), status: 'in_transit', description: 'Arrived at the Beijing sorting centre', location: '北京顺义分拨中心 Beijing Shunyi hub' },
          { at: at(8, 5), status: 'out_for_delivery', description: 'Out for delivery with courier Wang', location: '北京市朝阳区 Chaoyang, Beijing' },
          { at: at(8), status: 'delivered', description: 'Delivered, signed for at the front desk', location: '北京市朝阳区 Chaoyang, Beijing' },
        ],
      }],
    },
    {
      // Shipped, and late: the estimate passed two days ago while snow holds the parcel at a hub.
      id: 'o_ll_10388',
      owner: 'u:alice',
      number: 'LL-10388',
      status: 'shipped',
      placedAt: ago(9),
      refundableUntil: new Date(ago(9).getTime() + 30 * DAY),
      items: [
        { id: 'oi_10388_1', productId: 'p_rattan_floor_lamp', name: 'Woven Rattan Floor Lamp', quantity: 1, unitPrice: 69900 },
        { id: 'oi_10388_2', productId: 'p_silk_cushion_pair', name: 'Silk Brocade Cushion Covers, pair', quantity: 1, unitPrice: 16800 },
      ],
      shipments: [{
        id: 'sh_10388',
        carrier: 'ZTO Express',
        trackingNumber: 'ZT7730216498823',
        status: 'delayed',
        estimatedDelivery: at(2),
        events: [
          { at: at(8), status: 'label_created', description: 'Shipping label created', location: '杭州 Hangzhou' },
          { at: at(7), status: 'in_transit', description: 'Picked up by ZTO Express', location: '杭州 Hangzhou' },
          { at: at(6), status: 'in_transit', description: 'Left the Hangzhou sorting centre', location: '杭州转运中心 Hangzhou hub' },
          { at: at(5), status: 'in_transit', description: 'Arrived at the Zhengzhou hub', location: '郑州转运中心 Zhengzhou hub' },
          { at: at(3), status: 'delayed', description: 'Held at the hub: heavy snow has closed the roads north; it leaves when they reopen', location: '郑州转运中心 Zhengzhou hub' },
        ],
      }],
    },
    {
      // Paid yesterday, not shipped yet: nothing to refund or return.
      id: 'o_ll_10412',
      owner: 'u:alice',
      number: 'LL-10412',
      status: 'paid',
      placedAt: ago(1),
      refundableUntil: null,
      items: [
        { id: 'oi_10412_1', productId: 'p_gauze_runner_sand', name: 'Cotton Gauze Table Runner, Sand', quantity: 2, unitPrice: 8900 },
        { id: 'oi_10412_2', productId: 'p_batik_napkins', name: 'Indigo Batik Napkins, set of 4', quantity: 1, unitPrice: 7900 },
      ],
      shipments: [],
    },
    {
      id: 'o_ll_10307',
      owner: 'u:bob',
      number: 'LL-10307',
      status: 'delivered',
      placedAt: ago(7),
      refundableUntil: new Date(ago(4).getTime() + 30 * DAY),
      items: [
        { id: 'oi_10307_1', productId: 'p_bamboo_night_light', name: 'Bamboo Lantern Night Light', quantity: 2, unitPrice: 15900 },
        { id: 'oi_10307_2', productId: 'p_kilim_rug', name: 'Wool Kilim Rug, 120 × 180 cm', quantity: 1, unitPrice: 89900 },
      ],
      shipments: [{
        id: 'sh_10307',
        carrier: 'JD Logistics',
        trackingNumber: 'JDVA0938271640',
        status: 'delivered',
        estimatedDelivery: at(4),
        events: [
          { at: at(7, -2), status: 'label_created', description: 'Packed at the Lantern & Loom studio', location: '杭州 Hangzhou' },
          { at: at(6), status: 'in_transit', description: 'Picked up by JD Logistics', location: '杭州 Hangzhou' },
          { at: at(5), status: 'in_transit', description: 'Arrived at the Guangzhou sorting centre', location: '广州黄埔分拣中心 Guangzhou Huangpu hub' },
          { at: at(4, 4), status: 'out_for_delivery', description: 'Out for delivery', location: '广州市天河区 Tianhe, Guangzhou' },
          { at: at(4), status: 'delivered', description: 'Delivered to the parcel locker by the lobby', location: '广州市天河区 Tianhe, Guangzhou' },
        ],
      }],
    },
  ];
}

/** Seeds the demo shoppers and their orders (demo mode only), and the service history the console's Insights show. */
export async function seedShop(db: Db) {
  await seedInsightsHistory(db);
  await db.tx(async (q) => {
    for (const shopper of shoppers) {
      await q.query(
        `insert into shoppers (site, owner, user_id, name, email) values ($1, $2, $3, $4, $5) on conflict (site, owner) do nothing`,
        [SITE, shopper.owner, shopper.userId, shopper.name, shopper.email],
      );
    }
    for (const order of demoOrders()) {
      const total = order.items.reduce((sum, item) => sum + item.quantity * item.unitPrice, 0);
      await q.query(
        `insert into orders (id, site, owner, number, status, placed_at, currency, total, refundable_until, items, shipments)
         values ($1, $2, $3, $4, $5, $6, 'CNY', $7, $8, $9, $10) on conflict (id) do nothing`,
        [
          order.id, SITE, order.owner, order.number, order.status, order.placedAt, total, order.refundableUntil,
          JSON.stringify(order.items), JSON.stringify(order.shipments),
        ],
      );
    }
  });
}
