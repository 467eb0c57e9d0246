import { expect } from 'chai';
import { createIndex, highlight, highlighter, search, tokenize, type SearchDoc } from '../../src/core/search';
import { faqDocsFor } from '../../demo/server/seed/faq';

const ids = (hits: { id: string }[]): string[] => hits.map((hit) => hit.id);

describe('tokenize', () => {
  it('lowercases Latin words, strips punctuation and stopwords, and stems plurals and -ing', () => {
    // Stems only need to be consistent, not words: "where" → "wher" like "damage" → "damag".
    expect(tokenize('Where is my Parcel?! Refunds, shipping…')).to.deep.equal(['wher', 'parcel', 'refund', 'ship']);
  });

  it('gives inflections of one word the same term', () => {
    expect(new Set(tokenize('refund refunds refunded refunding'))).to.deep.equal(new Set(['refund']));
    expect(tokenize('damaged')).to.deep.equal(tokenize('damage'));
  });

  it('keeps Unicode letters and digits, folds full-width forms and drops apostrophes', () => {
    expect(tokenize('Café ＡＢＣ 30 days; don’t')).to.deep.equal(['café', 'abc', '30', 'day', 'dont']);
  });

  it('splits CJK runs into overlapping bigrams, and keeps a lone character', () => {
    expect(tokenize('退款政策')).to.deep.equal(['退款', '款政', '政策']);
    expect(tokenize('退')).to.deep.equal(['退']);
    expect(tokenize('テスト 한국어')).to.deep.equal(['テス', 'スト', '한국', '국어']);
  });

  it('separates Latin words from the CJK text around them', () => {
    expect(tokenize('退款refund政策')).to.deep.equal(['退款', 'refund', '政策']);
    expect(tokenize('我的iPhone 15坏了')).to.deep.equal(['我的', 'iphon', '15', '坏了']);
  });
});

describe('search ranking', () => {
  // The documents of each pair hold the same words, only in different fields.
  it('ranks a title match above a body match', () => {
    const index = createIndex([
      { id: 'body', title: 'Repairs', body: 'warranty repairs are free' },
      { id: 'title', title: 'Warranty', body: 'repairs repairs are free' },
    ]);
    expect(ids(search(index, 'warranty'))).to.deep.equal(['title', 'body']);
  });

  it('ranks a tag match above a body match', () => {
    const index = createIndex([
      { id: 'body', title: 'Orders', body: 'tracking parcel number', tags: ['parcel'] },
      { id: 'tag', title: 'Orders', body: 'parcel parcel number', tags: ['tracking'] },
    ]);
    expect(ids(search(index, 'tracking'))).to.deep.equal(['tag', 'body']);
  });

  it('keeps the input order for equal scores, honours the limit and omits non-matches', () => {
    const doc = { title: 'Coupons', body: 'How coupons work.' };
    const index = createIndex([
      { id: 'c', ...doc },
      { id: 'a', ...doc },
      { id: 'other', title: 'Invoices', body: 'Fapiao.' },
      { id: 'b', ...doc },
    ]);
    expect(ids(search(index, 'coupon'))).to.deep.equal(['c', 'a', 'b']);
    expect(ids(search(index, 'coupon', 2))).to.deep.equal(['c', 'a']);
    expect(search(index, 'xylophone')).to.deep.equal([]);
    expect(search(index, '')).to.deep.equal([]);
  });

  it('returns scores sorted from best to worst', () => {
    const hits = search(createIndex(faqDocsFor('en')), 'refund');
    expect(hits.length).to.be.greaterThan(2);
    const scores = hits.map((hit) => hit.score);
    expect(scores).to.deep.equal([...scores].sort((a, b) => b - a));
  });

  const enIndex = createIndex(faqDocsFor('en'));
  const en: [string, string][] = [
    ['where is my parcel', 'faq-delayed-delivery-en'],
    ['track my order', 'faq-track-parcel-en'],
    ['how long does a refund take', 'faq-refund-timing-en'],
    ['fapiao', 'faq-invoice-en'],
    ['reset password', 'faq-account-password-en'],
    ['customs duties', 'faq-customs-duties-en'],
    ['cancel my order', 'faq-cancel-order-en'],
    ['my item arrived broken', 'faq-damaged-item-en'],
    ['price drop', 'faq-price-protection-en'],
  ];
  for (const [query, expected] of en) {
    it(`finds ${expected} first for "${query}"`, () => {
      expect(search(enIndex, query)[0]?.id).to.equal(expected);
    });
  }

  const zhIndex = createIndex(faqDocsFor('zh-CN'));
  const zh: [string, string][] = [
    ['我的快递到哪了', 'faq-delayed-delivery-zh-CN'],
    ['查物流', 'faq-track-parcel-zh-CN'],
    ['退款多久到账', 'faq-refund-timing-zh-CN'],
    ['开发票', 'faq-invoice-zh-CN'],
    ['修改收货地址', 'faq-change-address-zh-CN'],
    ['门店自提', 'faq-store-pickup-zh-CN'],
    ['忘记密码', 'faq-account-password-zh-CN'],
    ['价保', 'faq-price-protection-zh-CN'],
  ];
  for (const [query, expected] of zh) {
    it(`finds ${expected} first for "${query}"`, () => {
      expect(search(zhIndex, query)[0]?.id).to.equal(expected);
    });
  }

  it('searches only the locale it indexed', () => {
    expect(search(zhIndex, 'refund')).to.deep.equal([]);
    expect(search(enIndex, '退款')).to.deep.equal([]);
  });
});

describe('search as you type', () => {
  const faq = createIndex(faqDocsFor('en'));

  it('completes the last word by prefix', () => {
    expect(search(faq, 'refu')[0]?.id).to.match(/refund/);
    expect(search(faq, 'passw')[0]?.id).to.equal('faq-account-password-en');
    expect(search(faq, 'reset passw')[0]?.id).to.equal('faq-account-password-en');
  });

  it('completes only the last word', () => {
    expect(search(faq, 'refu xyzzy')).to.deep.equal([]);
  });

  it('ranks the word typed exactly above its rarer completions', () => {
    const index = createIndex([
      { id: 'completion', title: 'Deposits', body: 'The deposit is refundable.' },
      { id: 'exact', title: 'Money back', body: 'We refund you.' },
      { id: 'exact-too', title: 'Cancelling', body: 'The refund starts at once.' },
    ]);
    expect(ids(search(index, 'refund')).slice(0, 2)).to.have.members(['exact', 'exact-too']);
    expect(ids(search(index, 'refund'))).to.include('completion');
  });

  it('completes a lone CJK character into the bigrams that start with it', () => {
    const index = createIndex([
      { id: 'pay', title: '支付方式', body: '支持支付宝。' },
      { id: 'refund', title: '退款政策', body: '七天无理由退货。' },
    ]);
    expect(ids(search(index, '退'))).to.deep.equal(['refund']);
  });

  it('matches mixed CJK and Latin queries', () => {
    const index = createIndex([
      { id: 'zh', title: '退款政策', body: '七天无理由退货。' },
      { id: 'en', title: 'Refund policy', body: 'Seven days.' },
      { id: 'mixed', title: 'iPhone 退款', body: 'refund for iPhone' },
    ]);
    expect(ids(search(index, '退款refund'))[0]).to.equal('mixed');
  });
});

describe('search over 1,000 articles', () => {
  // Deterministic filler: every article shares a vocabulary, a few carry a unique word.
  const words = ['order', 'parcel', 'refund', 'coupon', 'invoice', 'account', 'member', 'store', 'return', 'policy'];
  const han = '订单包裹退款优惠券发票账户会员门店退货政策物流快递地址支付';
  const docs: SearchDoc[] = Array.from({ length: 1000 }, (_, i) => {
    const pick = (n: number, from: string[] | string) =>
      Array.from({ length: n }, (_, k) => from[(i * 7 + k * 13) % from.length]).join(from === han ? '' : ' ');
    return { id: `a${i}`, title: `${pick(3, words)} ${pick(4, han)}`, body: `${pick(40, words)}。${pick(60, han)}`, tags: [pick(1, words)] };
  });
  docs[737]!.title += ' zebra';
  docs[412]!.body += ' 斑马线';
  docs[99]!.tags!.push('platypus');
  const index = createIndex(docs);

  it('finds the one article holding a rare word, in English and Chinese', () => {
    expect(ids(search(index, 'zebra'))).to.deep.equal(['a737']);
    expect(search(index, '斑马')[0]?.id).to.equal('a412');
    expect(search(index, 'platy')[0]?.id).to.equal('a99');
  });

  it('answers a common query with at most the limit, best first', () => {
    const hits = search(index, 'refund 退款', 10);
    expect(hits).to.have.length(10);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).to.be.at.least(hits[i]!.score);
  });

  it('keeps the best `limit` of all matches for any limit, ties in article order', () => {
    const position = new Map(docs.map((doc, i) => [doc.id, i]));
    for (const query of ['refund 退款', 'or', 'parcel coupon', '订', 'member 门店 sto']) {
      const all = search(index, query, Infinity);
      expect(all.length, query).to.be.greaterThan(12);
      for (let i = 1; i < all.length; i++) {
        const [a, b] = [all[i - 1]!, all[i]!];
        const inOrder = a.score > b.score || (a.score === b.score && position.get(a.id)! < position.get(b.id)!);
        expect(inOrder, `${query}: ${a.id} before ${b.id}`).to.equal(true);
      }
      for (const limit of [0, 1, 5, 12, 100]) expect(search(index, query, limit), `${query} / ${limit}`).to.deep.equal(all.slice(0, limit));
    }
  });
});

describe('highlight', () => {
  const join = (segments: { text: string }[]): string => segments.map((s) => s.text).join('');

  it('marks whole words case-insensitively, including other forms of the word', () => {
    expect(highlight('Refund policy for refunds', 'refund')).to.deep.equal([
      { text: 'Refund', match: true },
      { text: ' policy for ', match: false },
      { text: 'refunds', match: true },
    ]);
  });

  it('marks the completion of the word being typed', () => {
    expect(highlight('Refundable deposit', 'refu')).to.deep.equal([
      { text: 'Refundable', match: true },
      { text: ' deposit', match: false },
    ]);
  });

  it('does not mark stopwords', () => {
    expect(highlight('the refund', 'the refund')).to.deep.equal([
      { text: 'the ', match: false },
      { text: 'refund', match: true },
    ]);
  });

  it('marks CJK bigram matches and merges overlapping ones', () => {
    expect(highlight('我们的退款政策', '退款')).to.deep.equal([
      { text: '我们的', match: false },
      { text: '退款', match: true },
      { text: '政策', match: false },
    ]);
    expect(highlight('退款政策说明', '退款政策')).to.deep.equal([
      { text: '退款政策', match: true },
      { text: '说明', match: false },
    ]);
  });

  it('marks Latin and CJK matches in mixed text', () => {
    expect(highlight('iPhone退款', 'iphone 退款')).to.deep.equal([{ text: 'iPhone退款', match: true }]);
  });

  it('always reproduces the text exactly', () => {
    const texts = ['', 'plain', '**Bold** [link](https://example.com) 🎉 退款😀政策 𠀀𠀁 café', '  spaced  out  '];
    for (const text of texts) {
      for (const query of ['', 'link', '退款', '𠀀𠀁', 'caf', 'spaced out']) expect(join(highlight(text, query))).to.equal(text);
    }
  });

  it('marks a text anew for every query, splitting it once per map of split texts', () => {
    const text = 'Refund 退款政策 for refunds';
    const split = new Map();
    for (let round = 0; round < 2; round++) {
      expect(highlighter('refund', split)(text)).to.deep.equal([[0, 6], [16, 23]]);
      expect(highlighter('退款', split)(text)).to.deep.equal([[7, 9]]);
      expect(highlighter('款政 ref', split)(text)).to.deep.equal([[0, 6], [8, 10], [16, 23]]);
      expect(highlighter('', split)(text)).to.deep.equal([]);
      expect(highlighter('退款')(text)).to.deep.equal([[7, 9]]);
    }
    expect([...split.keys()]).to.deep.equal([text]);
  });

  it('returns one unmarked segment when nothing matches, and nothing for empty text', () => {
    expect(highlight('Shipping times', '')).to.deep.equal([{ text: 'Shipping times', match: false }]);
    expect(highlight('Shipping times', 'coupon')).to.deep.equal([{ text: 'Shipping times', match: false }]);
    expect(highlight('', 'coupon')).to.deep.equal([]);
  });
});
