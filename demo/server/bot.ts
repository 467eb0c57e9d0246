// The reference server's FAQ bot: answers from the articles of the shopper's locale with the same
// search the panel uses, offers quick actions for the intents it recognises, and hands off to a
// person on request or when it is not confident. Pure and deterministic: same input, same reply.

import type { QuickAction } from '../../src/api/schemas';
import { createIndex, search, tokenize, type SearchIndex } from '../../src/core/search';
import type { FaqArticle, FaqLocale } from './seed/faq';

export type BotAction = QuickAction;

export interface BotReply {
  text: string;
  articleIds: string[];
  actions: BotAction[];
  handoff: boolean;
  /** 0..1: how well the best article covers the question. */
  confidence: number;
}

export interface Bot {
  reply(text: string, locale: FaqLocale): BotReply;
}

// Below this the bot says it is not sure instead of quoting an article.
const MIN_CONFIDENCE = 0.5;
const MAX_ARTICLES = 3;

const HANDOFF = /\b(?:human|agent|person|representative|operator)s?\b|人工|客服|真人/i;

// Quick actions, in the order they are offered.
const INTENTS: [BotAction, RegExp][] = [
  [
    'track_order',
    /where(?:'s|’s|\s+is|\s+are)\s+my\b|\btrack|\bparcel|\bpackage\b|\bnot (?:arrived|received)|物流|快递(?!员)|到哪|包裹|运单|没收到/i,
  ],
  ['start_refund', /\brefund|\breturn|money back|退款|退货|退钱|退换/i],
  ['file_complaint', /\bcomplain|投诉/i],
];

const CJK = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Hangul}]/u;
// Chinese function words and politeness carry no topic, so a question is not "uncovered" for
// lacking them ("我想退款" is fully about 退款).
const CJK_FILLER = new Set('我你您他她它的了吗呢吧啊呀哦嗯想要请问怎么样如何什么哪里可以能会是在有个这那还就都也和与给帮下一');

const TEXT = {
  en: {
    handoff:
      'Of course — I’m connecting you with a member of our service team. Someone usually joins within 2 minutes, every day from 9:00 to 21:00 (China time); outside those hours, leave your message here and we’ll reply by the next morning.',
    unsure:
      'I’m not sure I understood. Could you tell me a bit more, for example your order number or what went wrong? You can also talk to a person.',
    related: 'These articles might help:',
  },
  'zh-CN': {
    handoff:
      '好的，正在为您转接人工客服，一般 2 分钟内接入（服务时间每天 9:00–21:00）。非服务时间请直接留言，我们会在次日上午回复。',
    unsure: '抱歉，我不太确定您的问题。能再具体描述一下吗？比如订单号或遇到的情况。您也可以转人工客服。',
    related: '以下文章可能对您有帮助：',
  },
} satisfies Record<FaqLocale, Record<string, string>>;

/** Creates a bot over the given articles; each locale is answered from its own articles only. */
export function createBot(articles: Pick<FaqArticle, 'id' | 'title' | 'body' | 'tags' | 'locale'>[]): Bot {
  const byId = new Map(articles.map((article) => [article.id, article]));
  const indexes = new Map<FaqLocale, SearchIndex>();
  for (const locale of ['en', 'zh-CN'] as const) {
    indexes.set(locale, createIndex(articles.filter((article) => article.locale === locale)));
  }

  return {
    reply(text, locale) {
      const t = TEXT[locale];
      if (HANDOFF.test(text)) {
        return { text: t.handoff, articleIds: [], actions: ['handoff'], handoff: true, confidence: 1 };
      }
      const index = indexes.get(locale)!;
      const hits = search(index, text, MAX_ARTICLES);
      const articleIds = hits.map((hit) => hit.id);
      const actions = INTENTS.filter(([, pattern]) => pattern.test(text)).map(([action]) => action);
      const confidence = hits[0] ? rate(index, text, hits[0].score) : 0;
      const best = hits[0] && byId.get(hits[0].id);
      if (best && confidence >= MIN_CONFIDENCE) {
        return { text: firstParagraph(best.body), articleIds, actions, handoff: false, confidence };
      }
      return {
        text: articleIds.length ? `${t.unsure} ${t.related}` : t.unsure,
        articleIds,
        actions: [...actions, 'handoff'],
        handoff: false,
        confidence,
      };
    },
  };
}

// Confidence = (best score / the most the question's known terms could score) × (share of the
// question's content the FAQ knows at all). Raw BM25 scores are not comparable across questions;
// this ratio is, and an off-topic question that shares one word with an article stays low.
function rate(index: SearchIndex, text: string, top: number): number {
  const terms = [...new Set(tokenize(text))];
  let ceiling = 0;
  let known = 0;
  let total = 0;
  const knownChars = new Set<string>();
  for (const term of terms) {
    const posting = index.postings.get(term);
    if (posting) ceiling += Math.max(...posting[1]);
    if (CJK.test(term)) {
      if (posting) for (const char of term) knownChars.add(char);
    } else {
      total++;
      if (posting) known++;
    }
  }
  for (const char of new Set(Array.from(text).filter((c) => CJK.test(c) && !CJK_FILLER.has(c)))) {
    total++;
    if (knownChars.has(char)) known++;
  }
  if (!ceiling || !total) return 0;
  const value = Math.min(1, top / ceiling) * (known / total);
  return Math.round(value * 100) / 100;
}

// The first paragraph of an article as plain chat text: markup dropped, links kept readable.
function firstParagraph(body: string): string {
  const [first = ''] = body.split(/\n\s*\n/);
  return first
    .replace(/\[([^\]]*)\]\(([^)\s]+)\)/g, '$1 ($2)')
    .replace(/\*\*/g, '')
    .replace(/^- /gm, '• ')
    .trim();
}
