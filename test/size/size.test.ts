/** The size budgets of design §8, measured by size-limit on the built files (run after the build). */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

interface Result {
  name: string;
  passed: boolean;
  size: number;
  sizeLimit: number;
}

const results: Result[] = JSON.parse(execFileSync('npx', ['size-limit', '--json'], { encoding: 'utf8' }));

for (const result of results) {
  test(`${result.name} is within budget: ${result.size} B of ${result.sizeLimit} B`, () => {
    assert.ok(result.size > 0, 'nothing measured: is dist/ built?');
    assert.ok(result.passed, `${result.name}: ${result.size} B exceeds ${result.sizeLimit} B`);
  });
}
