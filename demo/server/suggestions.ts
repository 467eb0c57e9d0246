/**
 * Suggested questions (千人千面): what this shopper most likely wants to ask, from the order they
 * look at (or their recent orders), the page they are on and the product they view. Pure: the route
 * loads the orders and keeps only the article ids that exist for the site.
 */
import type { Order, QuickAction, Shipment, Suggestion } from '../../src/api/schemas';

type Locale = 'en' | 'zh-CN';

/** The parts of an order that decide what its shopper is likely to ask. */
export type OrderFacts = Pick<Order, 'status' | 'refundableUntil' | 'items' | 'shipments'>;

interface Question {
  en: string;
  zh: string;
  /** FAQ topic (`faq-<topic>-<locale>`) that answers it. */
  topic?: string;
  action?: QuickAction;
}

const QUESTIONS = {
  whereIsParcel: { en: 'Where is my parcel?', zh: '我的包裹到哪了？', topic: 'delayed-delivery', action: 'track_order' },
  whenArrive: { en: 'When will my order arrive?', zh: '我的订单什么时候到？', topic: 'track-parcel', action: 'track_order' },
  refundItem: { en: 'I want to return or refund an item', zh: '我要退货退款', topic: 'request-refund', action: 'start_refund' },
  damaged: { en: 'My item arrived damaged', zh: '收到的商品有破损怎么办？', topic: 'damaged-item' },
  wrongItem: { en: 'I received the wrong item', zh: '收到的商品发错了怎么办？', topic: 'wrong-item' },
  refundTiming: { en: 'When will I get my refund?', zh: '退款多久到账？', topic: 'refund-timing' },
  cancel: { en: 'Can I cancel my order?', zh: '可以取消订单吗？', topic: 'cancel-order' },
  changeAddress: { en: 'Can I change the delivery address?', zh: '可以修改收货地址吗？', topic: 'change-address' },
  payment: { en: 'Which payment methods can I use?', zh: '支持哪些支付方式？', topic: 'payment-methods' },
  coupon: { en: 'How do I use a coupon?', zh: '优惠券怎么用？', topic: 'coupons' },
  invoice: { en: 'How do I get an invoice (fapiao)?', zh: '怎么开发票？', topic: 'invoice' },
  shipping: { en: 'How long does delivery take?', zh: '多久能送到？', topic: 'shipping-times' },
  size: { en: 'Which size fits, and can I exchange it?', zh: '尺码不合适可以换吗？', topic: 'exchange-size' },
  warranty: { en: 'What warranty does this product have?', zh: '这个商品怎么保修？', topic: 'warranty' },
  priceDrop: { en: 'What if the price drops after I buy?', zh: '买贵了可以价保吗？', topic: 'price-protection' },
  track: { en: 'How do I track my parcel?', zh: '怎么查物流？', topic: 'track-parcel', action: 'track_order' },
  refundPolicy: { en: 'What is your refund policy?', zh: '退款政策是什么？', topic: 'refund-policy' },
  returns: { en: 'How do I return an item?', zh: '怎么退货？', topic: 'returns', action: 'start_refund' },
  complaint: { en: 'I want to file a complaint', zh: '我要投诉', topic: 'complaint', action: 'file_complaint' },
  person: { en: 'Talk to a person', zh: '转人工客服', topic: 'contact-agent', action: 'handoff' },
} satisfies Record<string, Question>;

type Key = keyof typeof QUESTIONS;

const LIMIT = 5;
const POPULAR: Key[] = ['track', 'refundPolicy', 'returns', 'shipping', 'person'];
const CHECKOUT_PAGE = /^\/(?:cart|basket|bag|checkout|pay(?:ment)?)(?:\/|$)/;
const PRODUCT_PAGE = /^\/(?:products?|items?|p|goods)(?:\/|$)/;
const ORDERS_PAGE = /^\/(?:orders?|account\/orders?)(?:\/|$)/;

export interface SuggestionContext {
  locale: Locale;
  /** The page path (or URL) the shopper is on. */
  page?: string;
  productId?: string;
  /** The order the shopper looks at, already checked to be theirs. */
  order?: OrderFacts;
  /** The shopper's recent orders, newest first, used when no order is in view. */
  recent: OrderFacts[];
  now: number;
}

/** The ordered questions for a context: the order's situation first, then page and product, then popular ones. */
export function suggestQuestions(context: SuggestionContext): Suggestion[] {
  const keys: Key[] = [];
  const order = context.order ?? context.recent.find((candidate) => orderKeys(candidate, context.now).length > 0);
  if (order) keys.push(...orderKeys(order, context.now));
  const path = pathOf(context.page);
  if (path !== undefined && CHECKOUT_PAGE.test(path)) keys.push('payment', 'coupon', 'shipping', 'invoice');
  if (context.productId || (path !== undefined && PRODUCT_PAGE.test(path))) keys.push('size', 'warranty', 'shipping', 'priceDrop');
  if (path !== undefined && ORDERS_PAGE.test(path)) keys.push('track', 'returns', 'cancel');
  keys.push(...POPULAR);

  const seen = new Set<Key>();
  const questions: Suggestion[] = [];
  for (const key of keys) {
    if (seen.has(key)) continue;
    seen.add(key);
    const question: Question = QUESTIONS[key];
    questions.push({
      id: key,
      text: context.locale === 'zh-CN' ? question.zh : question.en,
      ...(question.topic ? { articleId: `faq-${question.topic}-${context.locale}` } : {}),
      ...(question.action ? { action: question.action } : {}),
    });
    if (questions.length === LIMIT) break;
  }
  return questions;
}

/** What an order's situation makes the shopper ask, most urgent first. */
function orderKeys(order: OrderFacts, now: number): Key[] {
  if (order.status === 'refunded') return ['refundTiming'];
  if (order.status === 'cancelled') return [];
  if (order.status === 'delivered') {
    const refundable = order.refundableUntil !== null && Date.parse(order.refundableUntil) > now
      && order.items.some((item) => (item.refundableQuantity ?? item.quantity) > 0);
    return refundable ? ['refundItem', 'damaged', 'wrongItem'] : [];
  }
  if (order.shipments.some((shipment) => isLate(shipment, now))) return ['whereIsParcel', 'complaint'];
  if (order.shipments.some((shipment) => shipment.status !== 'delivered')) return ['whenArrive'];
  if (order.status === 'pending' || order.status === 'paid') return ['cancel', 'changeAddress'];
  return [];
}

/** Delayed, in trouble, or not delivered by its estimated date. */
function isLate(shipment: Shipment, now: number): boolean {
  if (shipment.status === 'delayed' || shipment.status === 'exception') return true;
  return shipment.status !== 'delivered' && shipment.estimatedDelivery !== null && Date.parse(shipment.estimatedDelivery) < now;
}

/** The lowercased path of a page given as a path or a full URL; undefined when there is none. */
function pathOf(page: string | undefined): string | undefined {
  if (!page) return undefined;
  try {
    return new URL(page, 'http://page.invalid').pathname.toLowerCase();
  } catch {
    return undefined; // An unparsable page is no context, not an error.
  }
}
