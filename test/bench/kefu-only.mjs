// ─────────────────────────────────────────────────────────────────────────────────────────────
// KEFU-ONLY METRICS — the place for the design §8 budgets that no peer can be compared on.
//
// Each function receives the Kefu page with its panel open, CPU throttled 4×:
//   ctx = { page, cdp, widget }   (Playwright Page, CDPSession, widget description)
// and resolves to { value: number | null, unit, budget, status }.
// Until a function really measures, it returns status 'not measured yet' and value null:
// the report prints that text, never a made-up number.
// ─────────────────────────────────────────────────────────────────────────────────────────────

const notYet = (unit, budget) => ({ value: null, unit, budget, status: 'not measured yet' });

/** Render a 1,000-message chat history; value = longest frame of work, ms. */
export async function measureRender1000Messages(_ctx) {
  return notYet('ms per frame', '≤ 50 ms per frame');
}

/** Type into the FAQ search over 1,000 articles (zh + en); value = p95 keystroke-to-paint, ms. */
export async function measureFaqKeystrokeP95(_ctx) {
  return notYet('ms (p95)', 'p95 ≤ 16 ms');
}

/** Enqueue 1,000 writes into the offline outbox; value = main-thread work, ms. */
export async function measureOutboxEnqueue1000(_ctx) {
  return notYet('ms', '≤ 150 ms');
}

/** Flush 1,000 queued writes to the server; value = main-thread work, ms. */
export async function measureOutboxFlush1000(_ctx) {
  return notYet('ms', '≤ 400 ms');
}

export const KEFU_ONLY_METRICS = [
  ['render1000Messages', 'Render 1,000-message history', measureRender1000Messages],
  ['faqKeystrokeP95', 'FAQ keystroke over 1,000 articles', measureFaqKeystrokeP95],
  ['outboxEnqueue1000', 'Outbox: enqueue 1,000 writes', measureOutboxEnqueue1000],
  ['outboxFlush1000', 'Outbox: flush 1,000 writes', measureOutboxFlush1000],
];

/** Runs every Kefu-only metric; one failing does not hide the others. */
export async function measureKefuOnly(ctx) {
  const out = {};
  for (const [key, , fn] of KEFU_ONLY_METRICS) {
    try {
      out[key] = await fn(ctx);
    } catch (err) {
      out[key] = { value: null, status: `failed: ${err.message}` };
    }
  }
  return out;
}
