/**
 * The Help tab's facts, in the real panel: a burst of keystrokes is one search fact (with the
 * number of results shown) once typing pauses; opening an article is one view; leaving Help sends
 * what waits at once; before consent nothing is sent, not even later. The batches go out through
 * the real RestAdapter to msw, with an Idempotency-Key equal to their clientId.
 */
import { expect } from 'chai';
import { http, HttpResponse } from 'msw';
import type { Article, HelpEventBatch } from '../../src/api/schemas';
import { MemoryAdapter } from '../../src/client/MemoryAdapter';
import { RestAdapter } from '../../src/client/RestAdapter';
import { mount } from '../../src/panel';
import { until } from './dom';
import { useHandlers } from './msw';

const API = 'https://api.kefu.test';
const T = '2026-11-23T10:00:00.000Z';
const articles: Article[] = [
  { id: 'a_refund', title: 'How refunds work', body: 'Refunds arrive in 5 days.', tags: ['refunds'], locale: 'en', updatedAt: T },
  { id: 'a_refund2', title: 'Refund for a damaged item', body: 'Send a photo.', tags: ['refunds'], locale: 'en', updatedAt: T },
  { id: 'a_ship', title: 'Shipping times', body: 'Parcels take 2 days.', tags: ['shipping'], locale: 'en', updatedAt: T },
];

/** msw's /v1/help-events: records each batch with its key; `next()` resolves with the next one. */
async function helpServer() {
  const batches: { key: string | null; body: HelpEventBatch }[] = [];
  let waiting: ((batch: HelpEventBatch) => void) | undefined;
  await useHandlers(http.post(`${API}/v1/help-events`, async ({ request }) => {
    const body = (await request.json()) as HelpEventBatch;
    batches.push({ key: request.headers.get('Idempotency-Key'), body });
    waiting?.(body);
    return HttpResponse.json({ session: body.session, accepted: body.events.length }, { status: 201 });
  }));
  return { batches, next: () => new Promise<HelpEventBatch>((resolve) => (waiting = resolve)) };
}

/** The panel over a MemoryAdapter whose help facts go through a RestAdapter to msw. */
function setup(consent: 'pending' | 'granted') {
  const adapter = new MemoryAdapter({ articles }) as MemoryAdapter & Pick<RestAdapter, 'helpEvents'>;
  const rest = new RestAdapter({ baseUrl: API, site: 'pk_demo', session: { token: 't1', visitorId: 'v_1', user: null, expiresAt: '2030-01-01T00:00:00.000Z' } });
  adapter.helpEvents = (batch) => rest.helpEvents(batch);
  const host = document.createElement('kefu-root');
  document.body.append(host);
  const root = host.attachShadow({ mode: 'open' });
  const launcher = document.createElement('button');
  root.append(launcher);
  const panel = mount(root, { site: `pk_help${Date.now()}`, adapter, locale: 'en', consent, context: { page: '/help-test' } }, { launcher, emit: () => {} });
  return { root, panel, host };
}

/** Types `text` one keystroke at a time, within one task (a burst). */
function type(root: ShadowRoot, text: string) {
  const input = root.querySelector<HTMLInputElement>('#kefu-search')!;
  for (let n = 1; n <= text.length; n++) {
    input.value = text.slice(0, n);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }
}

const rows = (root: ShadowRoot) => root.querySelectorAll('#kefu-results li').length;

/** Types a search in one burst, waits for its `results`, and leaves Help for Home. */
async function searchAndLeave(root: ShadowRoot, text: string, results: number) {
  type(root, text);
  await until(() => rows(root) === results);
  root.querySelector<HTMLButtonElement>('#kefu-tab-home')!.click();
}

describe('help facts', function () {
  this.timeout(15_000);

  it('a typing burst is one search fact with its result count; opening an article is one view', async () => {
    const server = await helpServer();
    const { root, panel, host } = setup('granted');
    await panel.open('help');
    await until(() => rows(root) === 3);
    const first = server.next();
    type(root, 'refund');
    await until(() => rows(root) === 2);
    // Sent after the pause and the batch window, in the background.
    const batch = await first;
    expect(batch.events).to.deep.equal([{ type: 'search', query: 'refund', results: 2 }]);
    expect([batch.context?.page, batch.context?.locale, typeof batch.context?.device]).to.deep.equal(['/help-test', 'en', 'string']);
    expect(server.batches[0]!.key).to.equal(batch.clientId);

    // Opening a result, then leaving Help, sends its view at once; the settled search is not sent again.
    const second = server.next();
    root.querySelector<HTMLButtonElement>('#kefu-results button')!.click();
    await until(() => root.querySelector('.article h3')?.textContent === 'How refunds work');
    root.querySelector<HTMLButtonElement>('#kefu-tab-home')!.click();
    const views = await second;
    expect(views.events).to.deep.equal([{ type: 'view', articleId: 'a_refund' }]);
    expect(views.session).to.equal(batch.session, 'one help session');
    expect(server.batches.length).to.equal(2);
    await panel.destroy();
    host.remove();
  });

  it('a search not yet settled is reported when the shopper leaves Help, with no result as 0', async () => {
    const server = await helpServer();
    const { root, panel, host } = setup('granted');
    await panel.open('help');
    await until(() => rows(root) === 3);
    const sent = server.next();
    await searchAndLeave(root, 'xyzzy', 0);
    expect((await sent).events).to.deep.equal([{ type: 'search', query: 'xyzzy', results: 0 }]);
    await panel.destroy();
    host.remove();
  });

  it('before consent nothing is sent, not even once consent is given', async () => {
    const server = await helpServer();
    const { root, panel, host } = setup('pending');
    await panel.open('help');
    await until(() => rows(root) === 3);
    await searchAndLeave(root, 'refund', 2);
    await until(() => !root.querySelector('#kefu-search'));

    await panel.consent(true);
    await panel.open('help');
    await until(() => !!root.querySelector('#kefu-search'));
    const sent = server.next();
    await searchAndLeave(root, 'shipping', 1);
    expect((await sent).events).to.deep.equal([{ type: 'search', query: 'shipping', results: 1 }]);
    expect(server.batches.map((b) => b.body.events)).to.deep.equal([[{ type: 'search', query: 'shipping', results: 1 }]]);
    await panel.destroy();
    host.remove();
  });
});
