// FAQ articles the demo seeds, in English and Simplified Chinese. One shop, one policy: both
// languages state the same rules (7-day no-reason returns, 15 days for quality problems, …).
// Bodies use the widget's safe subset only: paragraphs split by a blank line, "- " list lines,
// **bold** and [text](https://…) links. The first paragraph answers the question on its own,
// because the bot quotes it as its reply.

export type FaqLocale = 'en' | 'zh-CN';

// The shape of an article in `GET /v1/faq`.
export interface FaqArticle {
  id: string;
  title: string;
  body: string;
  tags: string[];
  locale: FaqLocale;
  updatedAt: string;
}

interface Version {
  title: string;
  tags: string[];
  body: string;
}

interface Topic {
  key: string;
  updatedAt: string;
  en: Version;
  zh: Version;
}

const md = (...blocks: string[]): string => blocks.join('\n\n');
const list = (...items: string[]): string => items.map((item) => `- ${item}`).join('\n');

const SHOP = 'https://shop.example.com';

const topics: Topic[] = [
  {
    key: 'shipping-times',
    updatedAt: '2025-03-02T08:00:00.000Z',
    en: {
      title: 'Shipping times and delivery options',
      tags: ['shipping', 'delivery time', 'how long does delivery take', 'express', 'dispatch'],
      body: md(
        'Orders placed before **16:00** ship the same day; standard delivery then takes **2–4 business days** in mainland China and **5–7 business days** to remote regions. Shipping is free on orders over ¥99.',
        list(
          '**Standard** (¥8, free over ¥99): 2–4 business days.',
          '**Express** (¥18): next day in major cities for orders placed before 15:00.',
          '**Store pickup** (free): usually ready within 2 hours, see “Store pickup”.',
          '**International**: 7–15 business days depending on the destination and customs.',
        ),
        'Pre-order and made-to-order items show their own dispatch date on the product page. During big sales and public holidays such as Spring Festival, allow 1–3 extra days.',
        `The estimated delivery date of every order is shown in **Orders** in this help panel and on your [order page](${SHOP}/orders).`,
      ),
    },
    zh: {
      title: '配送时效与配送方式',
      tags: ['配送', '发货', '时效', '快递', '运费'],
      body: md(
        '每天 **16:00** 前付款的订单当天发货；普通快递在中国大陆一般 **2–4 个工作日** 送达，偏远地区 **5–7 个工作日**。订单满 99 元包邮。',
        list(
          '**普通快递**（8 元，满 99 元免运费）：2–4 个工作日。',
          '**特快配送**（18 元）：主要城市 15:00 前下单，次日送达。',
          '**门店自提**（免费）：通常 2 小时内可取，详见《门店自提》。',
          '**国际配送**：7–15 个工作日，视目的地和清关情况而定。',
        ),
        '预售和定制商品的发货时间以商品页面为准。大促和春节等法定节假日期间，配送可能延迟 1–3 天。',
        `每个订单的预计送达时间都可以在本帮助面板的 **订单** 页或[我的订单](${SHOP}/orders)中查看。`,
      ),
    },
  },
  {
    key: 'track-parcel',
    updatedAt: '2025-03-02T08:00:00.000Z',
    en: {
      title: 'How to track your parcel',
      tags: ['tracking', 'track order', 'logistics', 'courier', 'parcel'],
      body: md(
        'Open **Orders** in this help panel and tap the order: the tracking timeline shows every scan from the warehouse to your door, with the courier and the tracking number.',
        list(
          'The tracking number appears as soon as the parcel leaves our warehouse.',
          'A new number can take up to **24 hours** to show its first scan on the courier’s side.',
          'An order shipped in several parcels has one tracking number per parcel.',
        ),
        `You can also follow the parcel on your [order page](${SHOP}/orders) or on the courier’s website with the tracking number. If nothing has moved for more than 48 hours, see “Where is my parcel?”`,
      ),
    },
    zh: {
      title: '如何查询物流信息',
      tags: ['物流', '快递', '查物流', '运单号', '包裹'],
      body: md(
        '在本帮助面板中打开 **订单**，点击对应订单，即可看到物流时间线：从仓库出库到送货上门的每一条记录，以及快递公司和运单号。',
        list(
          '包裹离开仓库后就会生成运单号。',
          '新运单号在快递公司系统中出现第一条记录，最长可能需要 **24 小时**。',
          '一个订单分多个包裹发出时，每个包裹都有各自的运单号。',
        ),
        `也可以在[我的订单](${SHOP}/orders)中查看，或用运单号到快递公司官网查询。如果物流超过 48 小时没有更新，请参阅《我的快递到哪了》。`,
      ),
    },
  },
  {
    key: 'delayed-delivery',
    updatedAt: '2025-03-05T08:00:00.000Z',
    en: {
      title: 'Where is my parcel? Late or delayed delivery',
      tags: ['where is my order', 'late package', 'delayed', 'lost parcel', 'not received'],
      body: md(
        'If your parcel is past its estimated delivery date, or its tracking has not changed for **48 hours** (72 hours for remote areas), tell us in chat: we open an investigation with the courier and answer within **3 business days**.',
        list(
          'Check the tracking timeline in **Orders** first: weather, holidays and big sales can add a day or two.',
          'Marked as delivered but not there? Check with neighbours, your building’s reception or parcel lockers, then contact us within 48 hours.',
          'If the courier confirms the parcel is lost, we **send it again or refund you in full**, whichever you prefer.',
        ),
        'You do not need to wait for the investigation to finish to ask for a refund of an undelivered order: you can request it from the order straight away.',
      ),
    },
    zh: {
      title: '我的快递到哪了？包裹延迟未送达',
      tags: ['快递到哪了', '延迟', '没收到', '丢件', '催件'],
      body: md(
        '如果包裹已超过预计送达时间，或物流信息 **48 小时**（偏远地区 72 小时）没有更新，请在聊天中告诉我们：我们会向快递公司发起查件，并在 **3 个工作日** 内答复您。',
        list(
          '先在 **订单** 中查看物流时间线：天气、节假日和大促期间可能会延迟一两天。',
          '显示已签收但没收到？请先问问家人、邻居、前台或快递柜，仍找不到请在 48 小时内联系我们。',
          '如快递公司确认丢件，我们会按您的选择 **补发或全额退款**。',
        ),
        '未送达的订单无需等待查件结果，您可以随时在订单中直接申请退款。',
      ),
    },
  },
  {
    key: 'refund-policy',
    updatedAt: '2025-02-20T08:00:00.000Z',
    en: {
      title: 'Refund policy',
      tags: ['refund', 'money back', 'return policy', '7-day return'],
      body: md(
        'You can get a refund for most items: for any reason within **7 days** of delivery if the item is unused and in its original packaging, and within **15 days** if it has a quality problem. Orders that have not shipped yet are refunded in full at once.',
        list(
          '**Not shipped yet**: cancel or request a refund, no questions asked.',
          '**Changed your mind**: return within 7 days of delivery; return shipping is on you unless you bought shipping insurance.',
          '**Damaged, faulty, wrong or missing item**: 15 days, and we pay all shipping.',
        ),
        'Not returnable unless faulty: personalised or made-to-order items, fresh and perishable food, opened hygiene products (underwear, cosmetics), digital goods and gift cards.',
        `Coupons used on a refunded order are returned to your account if they have not expired. Read the full [refund policy](${SHOP}/policies/refunds).`,
      ),
    },
    zh: {
      title: '退款政策',
      tags: ['退款', '退钱', '七天无理由', '退货政策'],
      body: md(
        '大部分商品都可以退款：签收后 **7 天** 内，商品未使用且包装完好，可无理由退货退款；有质量问题的商品 **15 天** 内可退。尚未发货的订单可立即全额退款。',
        list(
          '**未发货**：直接取消或申请退款，无需理由。',
          '**不想要了**：签收 7 天内退货，退货运费由您承担（购买了运费险的除外）。',
          '**破损、质量问题、发错或漏发**：15 天内可退，运费全部由我们承担。',
        ),
        '以下商品除质量问题外不支持无理由退货：个性化定制商品、生鲜及易腐食品、已拆封的贴身及卫生用品（内衣、化妆品）、数字商品和礼品卡。',
        `退款订单使用的优惠券，如未过期会退回您的账户。详见完整的[退款政策](${SHOP}/policies/refunds)。`,
      ),
    },
  },
  {
    key: 'refund-timing',
    updatedAt: '2025-02-20T08:00:00.000Z',
    en: {
      title: 'When will I get my refund?',
      tags: ['refund time', 'refund status', 'how long does a refund take', 'money back'],
      body: md(
        'Once a refund is approved, the money goes back to the way you paid: Alipay, WeChat Pay and store balance within **1 business day** (usually minutes), debit cards in **1–5 business days** and credit cards in **3–10 business days**, depending on your bank.',
        list(
          'For a return, the refund is approved within **48 hours** after the warehouse receives and checks the item.',
          'Follow every step in **Tickets** in this help panel: requested, approved, awaiting return, return received, refunded.',
          'On a credit card the refund shows as a credit on your statement, not always as a new line in the app.',
        ),
        'Still nothing after these times? Ask your bank with the refund reference shown on the ticket, or tell us in chat and we will trace it for you.',
      ),
    },
    zh: {
      title: '退款多久到账？',
      tags: ['退款到账', '退款进度', '多久', '到账时间'],
      body: md(
        '退款审核通过后，款项按原支付方式退回：支付宝、微信支付和账户余额 **1 个工作日** 内到账（通常几分钟），借记卡 **1–5 个工作日**，信用卡 **3–10 个工作日**，以银行处理为准。',
        list(
          '退货退款：仓库收到商品并验货后 **48 小时** 内完成退款审核。',
          '在本帮助面板的 **工单** 中可查看每一步进度：已申请、已同意、待退货、已收到退货、已退款。',
          '信用卡退款会以贷记形式体现在账单中，不一定在银行 App 中显示为新的一笔交易。',
        ),
        '超过以上时间仍未到账？请凭工单中的退款流水号咨询银行，或在聊天中告诉我们，我们帮您查询。',
      ),
    },
  },
  {
    key: 'request-refund',
    updatedAt: '2025-02-20T08:00:00.000Z',
    en: {
      title: 'How to request a refund',
      tags: ['refund', 'request refund', 'get a refund', 'refund request'],
      body: md(
        'Open **Orders** in this help panel, choose the order and tap **Refund**; pick the items, the reason and, if you like, add photos. You can follow the request in **Tickets**.',
        list(
          '**Refund only** — for an order that has not shipped, or an item that never arrived.',
          '**Return and refund** — for an item you received; after approval we show you how to send it back.',
        ),
        'Most requests are answered within **24 hours**. A request that was wrongly rejected can be appealed from the ticket, see “Appealing a rejected decision”.',
      ),
    },
    zh: {
      title: '如何申请退款',
      tags: ['退款', '申请退款', '退款申请', '仅退款'],
      body: md(
        '在本帮助面板中打开 **订单**，选择订单后点击 **退款**，选择商品和原因，也可以上传照片。申请进度可在 **工单** 中查看。',
        list(
          '**仅退款**：订单尚未发货，或商品始终没有收到。',
          '**退货退款**：已收到商品；审核通过后我们会告诉您如何寄回。',
        ),
        '大部分申请会在 **24 小时** 内处理。如申请被驳回而您不认同，可在工单中发起申诉，详见《对处理结果不满意如何申诉》。',
      ),
    },
  },
  {
    key: 'returns',
    updatedAt: '2025-02-22T08:00:00.000Z',
    en: {
      title: 'Returns and return shipping',
      tags: ['return', 'return shipping', 'send back', 'return label'],
      body: md(
        'Request the return from the order in **Orders**; once approved, send the item back within **7 days** with a free courier pickup or at any partner drop-off point. Return shipping is **free** for damaged, faulty or wrong items; for a change of mind it costs a flat ¥10, or nothing if you bought shipping insurance.',
        list(
          'Pack the item with its tags, accessories and any free gifts that came with it.',
          'Write the ticket number on the parcel or include the printed return slip.',
          'The refund is approved within 48 hours after the warehouse receives the item.',
        ),
        'Please do not send returns to our office address: parcels without a ticket number take much longer to process.',
      ),
    },
    zh: {
      title: '退货与退货运费',
      tags: ['退货', '退货运费', '寄回', '运费险', '上门取件'],
      body: md(
        '在 **订单** 中申请退货，审核通过后请在 **7 天** 内寄回：可预约免费上门取件，也可送到合作驿站。因破损、质量问题或发错导致的退货 **免运费**；无理由退货统一收取 10 元运费，购买了运费险的免费。',
        list(
          '请连同吊牌、配件和赠品一起寄回。',
          '在包裹上写明工单号，或放入打印的退货单。',
          '仓库收到商品后 48 小时内完成退款审核。',
        ),
        '请不要把退货寄到公司办公地址：没有工单号的包裹处理时间会长很多。',
      ),
    },
  },
  {
    key: 'exchange-size',
    updatedAt: '2025-02-22T08:00:00.000Z',
    en: {
      title: 'Exchanging an item for another size or colour',
      tags: ['exchange', 'size', 'colour', 'swap', 'fit'],
      body: md(
        'Unused items with their tags can be exchanged for another size or colour of the same product within **15 days** of delivery: open the order in **Orders**, tap **Return** and choose “Exchange” as the reason.',
        list(
          'Your first exchange on an order is free, including the courier pickup.',
          'The replacement ships as soon as the warehouse receives the original item.',
          'If the size you want is sold out, we refund you instead.',
        ),
        'In a hurry? Place a new order for the right size now and return the first item for a refund.',
      ),
    },
    zh: {
      title: '换货（换尺码、换颜色）',
      tags: ['换货', '尺码', '颜色', '换码', '不合适'],
      body: md(
        '签收后 **15 天** 内，未使用且吊牌完好的商品可以换同款的其他尺码或颜色：在 **订单** 中打开订单，点击 **退货**，原因选择 「换货」。',
        list(
          '每个订单首次换货免费，包括上门取件。',
          '仓库收到原商品后立即发出新商品。',
          '如想换的尺码已售罄，我们将为您办理退款。',
        ),
        '比较着急？可以先下单合适的尺码，再把原商品退货退款。',
      ),
    },
  },
  {
    key: 'damaged-item',
    updatedAt: '2025-03-01T08:00:00.000Z',
    en: {
      title: 'My item arrived damaged',
      tags: ['damaged', 'broken', 'defective', 'faulty', 'quality problem'],
      body: md(
        'Sorry about that. Within **48 hours** of delivery, open the order in **Orders**, tap **Refund** and choose “Damaged item”; add photos of the item, the box and the shipping label. We send a replacement or refund you in full, and pay all shipping.',
        list(
          'If the box is visibly crushed or wet, you can refuse the delivery; the parcel comes back to us and we refund you automatically.',
          'Keep the packaging until the request is closed: the courier may ask for it.',
          'For low-value items we often refund without asking you to send anything back.',
        ),
        'A fault that shows up later is a quality problem: you have 15 days for a refund or exchange and the warranty after that.',
      ),
    },
    zh: {
      title: '收到的商品有破损',
      tags: ['破损', '损坏', '质量问题', '坏了', '压坏'],
      body: md(
        '非常抱歉。请在签收后 **48 小时** 内，在 **订单** 中点击 **退款** 并选择 「商品破损」，上传商品、外箱和快递面单的照片。我们会为您补发或全额退款，运费由我们承担。',
        list(
          '外箱明显压坏或受潮时，可以直接拒收；包裹退回后系统会自动退款。',
          '处理完成前请保留包装：快递公司可能需要查验。',
          '低价值商品通常无需寄回即可直接退款。',
        ),
        '使用后才发现的故障属于质量问题：15 天内可退换，之后可享受保修服务。',
      ),
    },
  },
  {
    key: 'missing-item',
    updatedAt: '2025-03-01T08:00:00.000Z',
    en: {
      title: 'An item is missing from my order',
      tags: ['missing item', 'incomplete order', 'not in the box', 'split shipment'],
      body: md(
        'First check **Orders**: large orders often ship in several parcels, each with its own tracking. If an item is really missing, report it within **48 hours** of delivery with a photo of the opened parcel and its shipping label, and we ship it again or refund it.',
        list(
          'Look inside all the packing material: small items are sometimes wrapped separately.',
          'Free gifts and bundle items are listed on the order; they count like any other item.',
          'Use **Refund** on the order and choose “Missing item” so the request reaches the warehouse team directly.',
        ),
      ),
    },
    zh: {
      title: '订单商品少发、漏发',
      tags: ['少发', '漏发', '缺件', '少了', '分包裹'],
      body: md(
        '请先在 **订单** 中确认：商品较多的订单常常分成几个包裹发出，每个包裹都有自己的物流。如确实少发，请在签收后 **48 小时** 内上传拆开的包裹和快递面单照片，我们会补发或退款。',
        list(
          '请检查所有填充物：小件商品有时会单独包装。',
          '赠品和套装商品会列在订单里，与其他商品同等处理。',
          '在订单中点击 **退款** 并选择 「少件/漏发」，申请会直接送达仓库团队。',
        ),
      ),
    },
  },
  {
    key: 'wrong-item',
    updatedAt: '2025-03-01T08:00:00.000Z',
    en: {
      title: 'I received the wrong item',
      tags: ['wrong item', 'incorrect item', 'wrong size', 'wrong colour', 'mix-up'],
      body: md(
        'Sorry for the mix-up. Within **7 days** of delivery, open the order in **Orders**, tap **Refund**, choose “Wrong item” and add a photo of what you received. We send the right item at once and collect the wrong one for free.',
        list(
          'Please do not use or wash the wrong item; keep its tags on.',
          'If you would rather not wait for the right item, choose a refund instead.',
        ),
      ),
    },
    zh: {
      title: '收到的商品发错了',
      tags: ['发错', '错发', '货不对板', '尺码不对', '颜色不对'],
      body: md(
        '抱歉给您带来不便。请在签收后 **7 天** 内，在 **订单** 中点击 **退款**，选择 「发错商品」 并上传实物照片。我们会立即补发正确的商品，并免费上门取回发错的商品。',
        list('请不要使用或清洗发错的商品，保留吊牌。', '如果不想等待补发，也可以直接选择退款。'),
      ),
    },
  },
  {
    key: 'cancel-order',
    updatedAt: '2025-02-18T08:00:00.000Z',
    en: {
      title: 'Cancelling an order',
      tags: ['cancel', 'cancel order', 'cancellation', 'changed my mind'],
      body: md(
        'You can cancel an order yourself until it ships: open it in **Orders** and tap **Cancel order**. The refund starts immediately and goes back to the way you paid.',
        list(
          '**Already shipped**: you cannot cancel any more, but you can refuse the delivery or return the item within 7 days.',
          '**Unpaid orders** are cancelled automatically after 30 minutes.',
          '**Pre-orders**: the deposit is refundable only until the balance payment starts.',
        ),
      ),
    },
    zh: {
      title: '如何取消订单',
      tags: ['取消订单', '取消', '不想要了', '撤销'],
      body: md(
        '订单发货前可以自行取消：在 **订单** 中打开订单，点击 **取消订单**。退款会立即发起，并按原支付方式退回。',
        list(
          '**已发货**：无法取消，但可以拒收，或签收后 7 天内退货。',
          '**未付款订单**：30 分钟后自动取消。',
          '**预售订单**：定金仅在尾款支付开始前可退。',
        ),
      ),
    },
  },
  {
    key: 'change-address',
    updatedAt: '2025-02-18T08:00:00.000Z',
    en: {
      title: 'Changing the delivery address',
      tags: ['address', 'change address', 'shipping address', 'wrong address'],
      body: md(
        'Before the order ships, open it in **Orders** and tap **Change address**; you can change it once per order. After it has shipped, ask us in chat and we will try to redirect the parcel with the courier.',
        list(
          'Redirecting a parcel that is already on its way is not always possible and can add 1–2 days.',
          'Cross-border orders cannot change address after the customs declaration.',
          'Update your saved addresses under **Account** so future orders go to the right place.',
        ),
      ),
    },
    zh: {
      title: '修改收货地址',
      tags: ['修改地址', '收货地址', '地址填错', '改地址'],
      body: md(
        '订单发货前，在 **订单** 中打开订单并点击 **修改地址**，每个订单可修改一次。已发货的订单请在聊天中联系我们，我们会尝试联系快递公司改派。',
        list(
          '已在途的包裹不一定能改派，改派可能延迟 1–2 天。',
          '跨境订单在海关申报后无法修改地址。',
          '请在 **账户** 中更新常用地址，避免以后填错。',
        ),
      ),
    },
  },
  {
    key: 'payment-methods',
    updatedAt: '2025-02-10T08:00:00.000Z',
    en: {
      title: 'Payment methods',
      tags: ['payment', 'pay', 'alipay', 'wechat pay', 'credit card', 'instalments'],
      body: md(
        'We accept **Alipay**, **WeChat Pay**, **UnionPay** debit and credit cards, **Visa**, **Mastercard** and **Apple Pay**. Orders over ¥600 can be paid in 3, 6 or 12 instalments with Huabei or a credit card.',
        list(
          'Unpaid orders are kept for 30 minutes, then cancelled automatically.',
          'Charged twice? The second amount is usually a pending authorisation that your bank releases within 1–3 business days.',
          'We never ask for your card number, password or verification code in chat.',
        ),
      ),
    },
    zh: {
      title: '支持的支付方式',
      tags: ['支付', '付款', '支付宝', '微信支付', '信用卡', '分期'],
      body: md(
        '我们支持 **支付宝**、**微信支付**、**银联** 借记卡和信用卡、**Visa**、**Mastercard** 和 **Apple Pay**。订单满 600 元可使用花呗或信用卡分 3、6、12 期付款。',
        list(
          '未付款订单保留 30 分钟，之后自动取消。',
          '被扣了两次款？第二笔通常是预授权冻结，银行会在 1–3 个工作日内自动解冻。',
          '我们绝不会在聊天中索要您的卡号、密码或验证码。',
        ),
      ),
    },
  },
  {
    key: 'invoice',
    updatedAt: '2025-02-12T08:00:00.000Z',
    en: {
      title: 'Invoices and fapiao',
      tags: ['invoice', 'fapiao', 'vat invoice', 'receipt', 'tax'],
      body: md(
        'An electronic **general fapiao** is issued automatically within 24 hours after you confirm receipt; download it from the order in **Orders**. For a **VAT special fapiao**, add your company details before you pay or within 180 days after delivery.',
        list(
          'Company fapiao need the company name and taxpayer ID; VAT special fapiao also need the registered address, phone, bank and account number.',
          'A wrong title can be reissued once from the order page.',
          'If you return items, the fapiao is reissued for the amount you kept.',
        ),
        `See the [invoice guide](${SHOP}/help/invoices) for examples.`,
      ),
    },
    zh: {
      title: '发票（电子普通发票、增值税专用发票）',
      tags: ['发票', '开发票', '增值税专用发票', '电子发票', '报销'],
      body: md(
        '确认收货后 24 小时内会自动开具 **电子普通发票**，可在 **订单** 中下载。如需 **增值税专用发票**，请在付款前或签收后 180 天内填写单位开票信息。',
        list(
          '单位抬头需填写单位名称和纳税人识别号；专票还需注册地址、电话、开户行及账号。',
          '发票抬头有误，可在订单页面申请换开一次。',
          '发生退货时，发票会按实际保留商品的金额重新开具。',
        ),
        `开票示例请参阅[发票说明](${SHOP}/help/invoices)。`,
      ),
    },
  },
  {
    key: 'coupons',
    updatedAt: '2025-02-14T08:00:00.000Z',
    en: {
      title: 'Using coupons and promo codes',
      tags: ['coupon', 'promo code', 'discount', 'voucher'],
      body: md(
        'Coupons in your account are applied at checkout: choose the best one under **Coupons**, or type a promo code. You can combine **one shop coupon** with **one platform coupon** per order.',
        list(
          'Each coupon shows its minimum spend, the products it applies to and its expiry date.',
          'Coupons cannot be exchanged for cash and are not reissued once expired.',
          'When you return part of an order, the discount is shared across its items, so the refund is what you actually paid for those items.',
        ),
        'A coupon did not apply? Check the minimum spend after other discounts, and that no excluded item (gift cards, pre-orders) is in the basket.',
      ),
    },
    zh: {
      title: '优惠券使用说明',
      tags: ['优惠券', '优惠码', '折扣', '满减', '红包'],
      body: md(
        '账户中的优惠券在结算时使用：在 **优惠券** 中选择最优的一张，或输入优惠码。每个订单可同时使用 **一张店铺券** 和 **一张平台券**。',
        list(
          '每张优惠券都注明了使用门槛、适用商品和有效期。',
          '优惠券不能兑换现金，过期后不予补发。',
          '部分退货时，优惠金额会按比例分摊到各件商品，退款金额为这些商品的实付金额。',
        ),
        '优惠券无法使用？请确认其他优惠后的金额是否达到门槛，以及购物车中是否有不适用的商品（礼品卡、预售商品）。',
      ),
    },
  },
  {
    key: 'price-protection',
    updatedAt: '2025-02-14T08:00:00.000Z',
    en: {
      title: 'Price protection',
      tags: ['price protection', 'price drop', 'price difference', 'cheaper'],
      body: md(
        'If the price of an item you bought drops within **7 days** of payment (15 days for Gold and Platinum members), open the order in **Orders** and tap **Price protection**: we refund the difference to the way you paid.',
        list(
          'It compares the same item, sold by the same shop, in the same size and colour.',
          'Flash sales, limited-quantity deals, bundle prices and coupon-only prices are not covered.',
          'You can claim once per item; the difference is refunded within 1 business day.',
        ),
      ),
    },
    zh: {
      title: '价格保护（价保）',
      tags: ['价保', '价格保护', '降价', '差价', '退差价'],
      body: md(
        '付款后 **7 天** 内（金卡和铂金会员 15 天）商品降价，可在 **订单** 中点击 **价格保护**，差价会按原支付方式退回。',
        list(
          '仅比较同一店铺、同一规格（尺码、颜色）的同一商品。',
          '秒杀、限量抢购、套装价和仅限优惠券的价格不在价保范围内。',
          '每件商品可申请一次，差价 1 个工作日内退回。',
        ),
      ),
    },
  },
  {
    key: 'membership',
    updatedAt: '2025-01-28T08:00:00.000Z',
    en: {
      title: 'Membership levels and benefits',
      tags: ['membership', 'member', 'points', 'vip', 'loyalty'],
      body: md(
        'Membership is free: you earn **1 point per ¥1** spent, and your level depends on the points of the last 12 months — **Silver** from 1,000, **Gold** from 5,000 and **Platinum** from 20,000.',
        list(
          '**Silver**: two free-shipping vouchers a month and a birthday coupon.',
          '**Gold**: free standard shipping, 15-day price protection and priority in the chat queue.',
          '**Platinum**: all Gold benefits, free express shipping and a dedicated service line.',
        ),
        'Points are added when an order is completed, taken back for returned items, and expire after 24 months.',
      ),
    },
    zh: {
      title: '会员等级与权益',
      tags: ['会员', '积分', '会员等级', 'VIP', '权益'],
      body: md(
        '会员免费加入：每消费 **1 元积 1 分**，会员等级按最近 12 个月的积分计算——**银卡** 1,000 分起，**金卡** 5,000 分起，**铂金** 20,000 分起。',
        list(
          '**银卡**：每月两张免运费券和生日优惠券。',
          '**金卡**：普通快递免运费、15 天价格保护、人工客服优先接入。',
          '**铂金**：享有全部金卡权益，特快配送免运费，并有专属客服线路。',
        ),
        '订单完成后积分到账，退货商品对应的积分会扣回，积分有效期为 24 个月。',
      ),
    },
  },
  {
    key: 'warranty',
    updatedAt: '2025-02-05T08:00:00.000Z',
    en: {
      title: 'Warranty and repairs',
      tags: ['warranty', 'repair', 'guarantee', 'faulty', 'after-sales'],
      body: md(
        'Electronics and appliances have a **1-year warranty** from delivery (some brands offer longer; see the product page). Within 15 days a fault gets you a refund or an exchange; after that, and within the warranty, we repair the item for free.',
        list(
          'Start from the order in **Orders**: tap **Return**, choose “Quality problem” and describe the fault.',
          'We arrange a free pickup; repairs usually take **7–10 business days**.',
          'Damage from drops, liquid or unauthorised repairs is not covered, but we can quote a paid repair.',
        ),
        'Your order number is your proof of purchase; you do not need a paper receipt.',
      ),
    },
    zh: {
      title: '保修与维修',
      tags: ['保修', '维修', '质保', '售后', '故障'],
      body: md(
        '电子产品和家电自签收起享受 **1 年保修**（部分品牌更长，以商品页面为准）。15 天内出现故障可退货或换货；之后在保修期内，我们免费维修。',
        list(
          '在 **订单** 中点击 **退货**，选择 「质量问题」 并描述故障。',
          '我们会安排免费上门取件，维修一般需要 **7–10 个工作日**。',
          '摔落、进液或私自拆修造成的损坏不在保修范围内，但我们可以提供付费维修报价。',
        ),
        '订单号即为购买凭证，无需纸质发票或小票。',
      ),
    },
  },
  {
    key: 'complaint',
    updatedAt: '2025-03-03T08:00:00.000Z',
    en: {
      title: 'How to file a complaint',
      tags: ['complaint', 'complain', 'unhappy', 'bad service', 'feedback'],
      body: md(
        'Open **Tickets** in this help panel and tap **File a complaint** (or use **Complain** on an order); describe what happened and attach photos or screenshots. We acknowledge it within **24 hours** and aim to resolve it within **3 business days**.',
        list(
          'Each step — submitted, acknowledged, investigating, resolved — appears on the ticket with its date and who acted.',
          'You can add notes and evidence to the ticket at any time.',
          'If you disagree with the outcome, you can appeal it from the same ticket.',
        ),
        'Complaints about a courier’s behaviour are welcome too: we pass them on and follow them up for you.',
      ),
    },
    zh: {
      title: '如何投诉',
      tags: ['投诉', '不满意', '服务差', '意见', '反馈'],
      body: md(
        '在本帮助面板中打开 **工单**，点击 **我要投诉**（也可以在订单上点击 **投诉**），描述经过并上传照片或截图。我们会在 **24 小时** 内受理，力争 **3 个工作日** 内处理完毕。',
        list(
          '已提交、已受理、调查中、已解决——每一步都会连同时间和处理人显示在工单中。',
          '您可以随时在工单中补充说明和凭证。',
          '对处理结果不满意，可以在同一工单中发起申诉。',
        ),
        '对快递员服务不满意也可以投诉：我们会转交快递公司并跟进处理结果。',
      ),
    },
  },
  {
    key: 'appeal',
    updatedAt: '2025-03-03T08:00:00.000Z',
    en: {
      title: 'Appealing a rejected decision',
      tags: ['appeal', 'rejected', 'disagree', 'review', 'dispute'],
      body: md(
        'If a refund, return or complaint was rejected and you disagree, open the ticket in **Tickets** and tap **Appeal** within **15 days**. Explain why and add any new evidence; a different team member reviews it within **3 business days**.',
        list(
          'Photos, videos, chat screenshots and courier notes all help.',
          'The decision on an appeal is final within our service.',
          'You can still contact your local consumer protection body (in mainland China, the 12315 platform).',
        ),
      ),
    },
    zh: {
      title: '对处理结果不满意如何申诉',
      tags: ['申诉', '驳回', '被拒绝', '复核', '不认同'],
      body: md(
        '退款、退货或投诉被驳回且您不认同时，请在 **15 天** 内到 **工单** 中打开该工单，点击 **申诉**，说明理由并补充新的凭证；将由另一位工作人员在 **3 个工作日** 内复核。',
        list(
          '照片、视频、聊天截图和快递记录都有帮助。',
          '申诉结果为本平台的最终处理结果。',
          '您仍可向当地消费者权益保护机构反映（中国大陆可通过 12315 平台）。',
        ),
      ),
    },
  },
  {
    key: 'contact-agent',
    updatedAt: '2025-03-06T08:00:00.000Z',
    en: {
      title: 'Talk to a person',
      tags: ['agent', 'human', 'live chat', 'contact us', 'customer service'],
      body: md(
        'Type **“agent”** in the chat, or tap **Talk to a person**: a member of our service team joins the conversation, usually within **2 minutes**, every day from **9:00 to 21:00** (China time).',
        list(
          'Outside these hours, leave your message: it stays in the conversation and we reply by the next morning.',
          'Gold and Platinum members are served first.',
          'Have your order number ready; it is shown in **Orders**.',
        ),
        'You can also write to [support@example.com](mailto:support@example.com); we answer emails within one business day.',
      ),
    },
    zh: {
      title: '联系人工客服',
      tags: ['人工客服', '转人工', '客服', '在线客服', '联系我们'],
      body: md(
        '在聊天中输入 **“人工”** 或点击 **转人工**，客服人员会加入对话，一般 **2 分钟** 内接入，服务时间为每天 **9:00–21:00**（北京时间）。',
        list(
          '非服务时间请直接留言：消息会保留在对话中，我们会在次日上午回复。',
          '金卡和铂金会员优先接入。',
          '请准备好订单号，可在 **订单** 中查看。',
        ),
        '也可以发送邮件至 [support@example.com](mailto:support@example.com)，我们会在一个工作日内回复。',
      ),
    },
  },
  {
    key: 'account-password',
    updatedAt: '2025-01-20T08:00:00.000Z',
    en: {
      title: 'Account and password help',
      tags: ['account', 'password', 'login', 'sign in', 'reset password', 'verification code'],
      body: md(
        `To reset your password, tap **Forgot password** on the [sign-in page](${SHOP}/login) and enter your phone number or email; we send a verification code that is valid for **10 minutes**.`,
        list(
          'No code? Check the spam folder, wait 60 seconds and request a new one.',
          'After 5 wrong passwords the account is locked for 30 minutes to protect it.',
          'Lost access to your phone number? Chat with us to verify your identity and change it.',
        ),
        'We will never ask for your password or a verification code, in chat or by phone.',
      ),
    },
    zh: {
      title: '账号与密码',
      tags: ['账号', '密码', '登录', '忘记密码', '验证码'],
      body: md(
        `忘记密码：在[登录页面](${SHOP}/login)点击 **忘记密码**，输入手机号或邮箱，我们会发送有效期 **10 分钟** 的验证码。`,
        list(
          '收不到验证码？请检查垃圾邮件或短信拦截，60 秒后重新获取。',
          '连续输错 5 次密码，账号会被锁定 30 分钟以保护安全。',
          '手机号已停用？请在聊天中联系我们，核实身份后更换。',
        ),
        '我们绝不会通过聊天或电话向您索要密码或验证码。',
      ),
    },
  },
  {
    key: 'privacy-data',
    updatedAt: '2025-01-15T08:00:00.000Z',
    en: {
      title: 'Privacy and deleting your data',
      tags: ['privacy', 'personal data', 'delete account', 'gdpr', 'data export'],
      body: md(
        'You can download or delete your personal data under **Account → Privacy**. Deleting your account erases your profile, addresses, chats and preferences within **15 business days**.',
        list(
          'Order and invoice records are kept for 3 years because tax and e-commerce law require it, then deleted.',
          'This help widget stores nothing in your browser until you consent, and signing out wipes what it stored on this device.',
          'You can withdraw marketing consent at any time without deleting your account.',
        ),
        `Read our [privacy policy](${SHOP}/policies/privacy) for the details.`,
      ),
    },
    zh: {
      title: '隐私与个人数据删除',
      tags: ['隐私', '个人信息', '注销账号', '删除数据', '数据导出'],
      body: md(
        '您可以在 **账户 → 隐私** 中下载或删除个人数据。注销账号后，您的资料、地址、聊天记录和偏好设置会在 **15 个工作日** 内删除。',
        list(
          '根据税务和电子商务法规，订单和发票记录需保存 3 年，期满后删除。',
          '本帮助组件在您同意前不会在浏览器中存储任何内容；退出登录会清除它在本设备上存储的数据。',
          '您可以随时撤回营销推送授权，无需注销账号。',
        ),
        `详见[隐私政策](${SHOP}/policies/privacy)。`,
      ),
    },
  },
  {
    key: 'store-pickup',
    updatedAt: '2025-02-08T08:00:00.000Z',
    en: {
      title: 'Store pickup (click and collect)',
      tags: ['store pickup', 'collect', 'click and collect', 'pick up in store'],
      body: md(
        'Choose **Store pickup** at checkout and pick a store: we send a text with your **pickup code** when the order is ready, usually within **2 hours** (next day for orders placed after 18:00). Pickup is free.',
        list(
          'Bring the pickup code; someone else can collect the order with it.',
          'Orders are kept for **7 days**, then cancelled and refunded automatically.',
          'You can check the item at the counter and return it on the spot if it is not right.',
        ),
      ),
    },
    zh: {
      title: '门店自提',
      tags: ['门店自提', '自提', '到店取货', '提货码'],
      body: md(
        '结算时选择 **门店自提** 并选择门店：备货完成后我们会短信发送 **提货码**，通常 **2 小时** 内可取（18:00 后下单次日可取）。自提免运费。',
        list(
          '凭提货码取货，也可以请他人代取。',
          '订单保留 **7 天**，逾期未取将自动取消并退款。',
          '可在柜台当面验货，不满意可当场退货。',
        ),
      ),
    },
  },
  {
    key: 'customs-duties',
    updatedAt: '2025-02-25T08:00:00.000Z',
    en: {
      title: 'Customs, duties and import taxes',
      tags: ['customs', 'duties', 'import tax', 'cross-border', 'international'],
      body: md(
        'For cross-border (imported) items delivered in mainland China, the cross-border e-commerce tax is shown and paid at checkout, so there is **nothing more to pay** on delivery. For international orders, the destination country may charge import duties and taxes when the parcel arrives.',
        list(
          'Cross-border orders need the payer’s real name and ID number, which must match the payment account.',
          'Personal limits apply: ¥5,000 per order and ¥26,000 per year.',
          'International orders: choose “Duties paid” at checkout to pay duties in advance, otherwise the courier collects them on delivery.',
          'A parcel held by customs shows “Customs clearance” in its tracking; we contact you if documents are needed.',
        ),
        'If you refuse an international parcel because of the duties, the shipping cost is not refunded.',
      ),
    },
    zh: {
      title: '海关、关税与进口税',
      tags: ['海关', '关税', '进口税', '跨境', '清关'],
      body: md(
        '在中国大陆收货的跨境进口商品，跨境电商综合税在结算时已显示并支付，收货时 **无需再缴费**。国际订单则可能在到达目的国时被收取进口关税和税费。',
        list(
          '跨境订单需填写订购人的真实姓名和身份证号，并与支付账户一致。',
          '个人额度：单笔 5,000 元，年度 26,000 元。',
          '国际订单结算时可选择 「预付关税」，否则由快递公司在派送时代收。',
          '被海关查验的包裹，物流会显示 「清关中」；如需补充资料我们会联系您。',
        ),
        '因关税原因拒收国际包裹的，运费不予退还。',
      ),
    },
  },
];

/** Every seeded article, each topic in English then Simplified Chinese. */
export const faqArticles: FaqArticle[] = topics.flatMap(({ key, updatedAt, en, zh }) => [
  { id: `faq-${key}-en`, locale: 'en', updatedAt, ...en },
  { id: `faq-${key}-zh-CN`, locale: 'zh-CN', updatedAt, ...zh },
]);

/** The seeded articles of one locale. */
export function faqDocsFor(locale: FaqLocale): FaqArticle[] {
  return faqArticles.filter((article) => article.locale === locale);
}
