/**
 * The size budgets of design §8, measured by size-limit on the built files (run after the build).
 * Each entry of package.json's `size-limit` fails when exceeded. Where the design's budget is not
 * met yet, the entry's limit is a ratchet at today's size (so nothing grows unnoticed) and the test
 * name says so plainly, with the budget next to the figure.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

interface Result {
  name: string;
  passed: boolean;
  size: number;
  sizeLimit: number;
}

/** Design §8, in bytes as size-limit counts them (1 KB = 1,000 B). */
const BUDGETS: [RegExp, number][] = [
  [/^loader/, 2_048],
  [/^panel at first open|^whole panel/, 30_000],
];

const results: Result[] = JSON.parse(execFileSync('npx', ['size-limit', '--json'], { encoding: 'utf8' }));
const kb = (bytes: number) => `${(bytes / 1000).toFixed(1)} KB`;

for (const result of results) {
  const budget = BUDGETS.find(([pattern]) => pattern.test(result.name))?.[1];
  const verdict = budget === undefined ? '' : result.size <= budget ? `, within the ${kb(budget)} budget` : `, OVER the ${kb(budget)} budget (ratchet ${kb(result.sizeLimit)})`;
  test(`${result.name}: ${kb(result.size)}${verdict}`, () => {
    assert.ok(result.size > 0, 'nothing measured: is dist/ built?');
    assert.ok(result.passed, `${result.name}: ${result.size} B exceeds its limit of ${result.sizeLimit} B`);
    if (budget !== undefined) assert.ok(result.sizeLimit <= Math.max(budget, result.size * 1.05), 'a ratchet sits within 5% of the size it holds');
  });
}
