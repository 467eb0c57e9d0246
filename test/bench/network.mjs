// Watches a page's requests: keeps every response body (for byte accounting) and knows when
// the network has gone quiet (for "settled" points that do not depend on fixed sleeps alone).
import { describeResponse } from './bytes.mjs';
import { sleep } from './util.mjs';

// Long-lived streams never "finish"; they must not keep the page from counting as quiet.
const STREAM_TYPES = new Set(['eventsource', 'websocket']);

const isLoopback = (url) => /^(https?|wss?):\/\/127\.0\.0\.1(:\d+)?\//.test(url);

export function trackNetwork(page) {
  const state = {
    phase: 'load', // label stored with each response: 'load' (before the click) or 'open'
    recording: true, // only the first navigation's bytes are counted
    inflight: new Set(),
    lastActivity: Date.now(),
    finished: [], // { req, phase, body }: bodies are read later, outside the measured windows
    external: [], // requests that tried to leave 127.0.0.1 (blocked by the resolver rules)
  };
  const mainFrame = page.mainFrame();

  page.on('request', (req) => {
    if (!isLoopback(req.url()) && !req.url().startsWith('data:') && !req.url().startsWith('blob:')) {
      state.external.push(req.url());
    }
    if (STREAM_TYPES.has(req.resourceType())) return;
    state.inflight.add(req);
    state.lastActivity = Date.now();
  });

  const done = (req) => {
    state.inflight.delete(req);
    state.lastActivity = Date.now();
  };
  page.on('requestfailed', done);
  page.on('requestfinished', (req) => {
    done(req);
    // The page's own HTML is the same for every widget: not the widget's bytes.
    if (req.resourceType() === 'document' && req.frame() === mainFrame) return;
    if (state.recording) state.finished.push({ req, phase: state.phase, body: undefined });
  });

  return {
    state,
    setPhase(phase) { state.phase = phase; },
    stopRecording() { state.recording = false; },
    /** Waits until no request has been in flight for `quietMs` (at most `capMs`). */
    async quiet(quietMs = 500, capMs = 10_000) {
      const start = Date.now();
      while (Date.now() - start < capMs) {
        if (state.inflight.size === 0 && Date.now() - state.lastActivity >= quietMs) return true;
        await sleep(50);
      }
      return false;
    },
    /**
     * Fetches the bodies not read yet. Called between measured windows (and before the page
     * navigates away, which would drop the bodies), so reading costs nothing we measure.
     */
    async readBodies() {
      for (const entry of state.finished) {
        if (entry.body !== undefined) continue;
        const res = await entry.req.response().catch(() => null);
        entry.status = res?.status() ?? 0;
        entry.body = res ? await res.body().catch(() => null) : null;
      }
    },
    /** All recorded responses, sized. Compression (slow for megabytes) happens only here. */
    async resources() {
      await this.readBodies();
      return state.finished
        .filter((e) => e.body)
        .map((e) => describeResponse({
          url: e.req.url(), type: e.req.resourceType(), status: e.status, body: e.body, phase: e.phase,
        }));
    },
  };
}
