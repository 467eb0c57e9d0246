/**
 * The outbox's short fault run (test/fault/outbox.fault.ts) as part of `npm test`: the real server
 * restarted under injected 503s, 429s and lost answers, tabs reloaded and killed, shoppers offline
 * and back; every write the widget confirmed arrives exactly once and in order. The full run
 * (≥ 1,000 writes) is `npm run bench:reliability`; `KEFU_FAULT_SEED` replays a seed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFaultTest, seedFromEnv, SHORT, summary } from '../fault/outbox.fault';

test('outbox under faults: every confirmed write arrives exactly once, in order', { timeout: 115_000 }, async () => {
  const seed = seedFromEnv();
  console.log(`outbox fault run, seed ${seed} (replay with KEFU_FAULT_SEED=${seed})`);
  const report = await runFaultTest({ ...SHORT, seed });
  console.log(summary(report));
  assert.ok(report.tried >= 50, `too few writes were made to prove anything (${report.tried})`);
  assert.deepEqual(report.lost, [], 'lost writes');
  assert.deepEqual(report.duplicated, [], 'duplicated writes');
  assert.deepEqual(report.outOfOrder, [], 'writes out of order');
  assert.deepEqual(report.failedItems, [], 'items the server refused');
  assert.deepEqual(report.undelivered, [], 'items still queued when the drain ran out of time');
});
