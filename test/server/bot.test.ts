import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBot } from '../../demo/server/bot';
import { faqArticles } from '../../demo/server/seed/faq';

const bot = createBot(faqArticles);
const hasChinese = (text: string): boolean => /\p{sc=Han}/u.test(text);

test('hands off to a person when asked in English', () => {
  for (const text of ['I want to talk to a human', 'agent please', 'Can I speak to a real person?']) {
    const reply = bot.reply(text, 'en');
    assert.equal(reply.handoff, true, text);
    assert.deepEqual(reply.actions, ['handoff'], text);
    assert.ok(!hasChinese(reply.text) && reply.text.length > 0, text);
  }
});

test('hands off to a person when asked in Chinese', () => {
  for (const text of ['转人工', '我要人工服务', '客服在吗']) {
    const reply = bot.reply(text, 'zh-CN');
    assert.equal(reply.handoff, true, text);
    assert.deepEqual(reply.actions, ['handoff'], text);
    assert.ok(hasChinese(reply.text), text);
  }
});

test('does not hand off for a question that merely contains a similar word', () => {
  const reply = bot.reply('How do I delete my personal data?', 'en');
  assert.equal(reply.handoff, false);
  assert.equal(reply.articleIds[0], 'faq-privacy-data-en');
});

test('answers a tracking question with the track_order action and a tracking article', () => {
  const reply = bot.reply('Where is my parcel?', 'en');
  assert.ok(reply.actions.includes('track_order'));
  assert.ok(['faq-delayed-delivery-en', 'faq-track-parcel-en'].includes(reply.articleIds[0]!));
  assert.ok(reply.articleIds.length <= 3);
  assert.equal(reply.handoff, false);
  assert.ok(reply.confidence >= 0.5);
  assert.ok(!reply.actions.includes('handoff'));
  const article = faqArticles.find((a) => a.id === reply.articleIds[0])!;
  // The answer is the article's first paragraph as plain text.
  assert.ok(article.body.replaceAll('**', '').startsWith(reply.text));
  assert.ok(!reply.text.includes('**'));
});

test('answers 快递到哪了 with track_order and a Chinese tracking article', () => {
  const reply = bot.reply('我的快递到哪了？', 'zh-CN');
  assert.ok(reply.actions.includes('track_order'));
  assert.ok(['faq-delayed-delivery-zh-CN', 'faq-track-parcel-zh-CN'].includes(reply.articleIds[0]!));
  assert.ok(hasChinese(reply.text));
});

test('answers a refund request in Chinese with start_refund and a refund article', () => {
  const reply = bot.reply('我想退款', 'zh-CN');
  assert.ok(reply.actions.includes('start_refund'));
  assert.ok(!reply.actions.includes('track_order'));
  assert.match(reply.articleIds[0]!, /^faq-(request-refund|refund-policy|refund-timing)-zh-CN$/);
  assert.ok(reply.confidence >= 0.5);
  assert.ok(hasChinese(reply.text));
});

test('offers file_complaint for a complaint', () => {
  const reply = bot.reply('I want to complain about the courier', 'en');
  assert.deepEqual(reply.actions, ['file_complaint']);
  assert.equal(reply.articleIds[0], 'faq-complaint-en');
});

test('is not confident about gibberish and offers a person instead', () => {
  for (const [text, locale] of [
    ['asdf qwerty zxcv', 'en'],
    ['紫色大象跳舞', 'zh-CN'],
  ] as const) {
    const reply = bot.reply(text, locale);
    assert.ok(reply.confidence < 0.5, text);
    assert.ok(reply.actions.includes('handoff'), text);
    assert.equal(reply.handoff, false, text);
    assert.deepEqual(reply.articleIds, [], text);
    assert.equal(hasChinese(reply.text), locale === 'zh-CN', text);
  }
});

test('is less confident about an off-topic question than an on-topic one', () => {
  const offTopic = bot.reply('my cat ate my homework and my refund', 'en');
  const onTopic = bot.reply('how long does a refund take', 'en');
  assert.ok(offTopic.confidence < 0.5);
  assert.ok(offTopic.actions.includes('start_refund') && offTopic.actions.includes('handoff'));
  assert.ok(onTopic.confidence >= 0.5);
  assert.equal(onTopic.articleIds[0], 'faq-refund-timing-en');
});

test('replies in the language of the locale, from that locale’s articles', () => {
  const en = bot.reply('refund', 'en');
  const zh = bot.reply('退款', 'zh-CN');
  assert.ok(en.articleIds.length > 0 && en.articleIds.every((id) => id.endsWith('-en')));
  assert.ok(zh.articleIds.length > 0 && zh.articleIds.every((id) => id.endsWith('-zh-CN')));
  assert.ok(!hasChinese(en.text));
  assert.ok(hasChinese(zh.text));
  // A question in the other language finds nothing in this locale's articles, and says so in this locale.
  const crossed = bot.reply('refund', 'zh-CN');
  assert.deepEqual(crossed.articleIds, []);
  assert.ok(hasChinese(crossed.text));
});

test('gives the same reply to the same question', () => {
  for (const [text, locale] of [
    ['Where is my order', 'en'],
    ['优惠券怎么用', 'zh-CN'],
    ['hello', 'en'],
  ] as const) {
    assert.deepEqual(bot.reply(text, locale), bot.reply(text, locale));
    assert.deepEqual(createBot(faqArticles).reply(text, locale), bot.reply(text, locale));
  }
});
