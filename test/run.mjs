// `npm test`: every suite in order — type check, build, size budgets, unit and component tests in
// Chromium, server tests on PGlite and PostgreSQL, end-to-end tests — then one closing line that
// sums them all, so a run that executed nothing is visible.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { findPostgres } from './postgres.mjs';

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function run(command, args, env = {}) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const tee = (stream, target) =>
      stream.on('data', (chunk) => {
        output += chunk;
        target.write(chunk);
      });
    tee(child.stdout, process.stdout);
    tee(child.stderr, process.stderr);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/** A step that is one check: passes when the command exits 0. */
async function check(name, command, args) {
  const { code } = await run(command, args);
  record(name, code === 0 ? 1 : 0, code === 0 ? 0 : 1, 0);
  return code === 0;
}

function record(name, passed, failed, skipped) {
  totals.passed += passed;
  totals.failed += failed;
  totals.skipped += skipped;
  lines.push(`${name}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
}

/**
 * node --test with the TAP reporter: reads its `# pass` / `# fail` / `# cancelled` / `# skipped` lines.
 * The timeout also caps each file as a whole (node runs a file as one test): the XSS file's four
 * corpora take ~70 s on a quiet machine and passed 120 s on a busy one.
 */
async function nodeTests(name, files, env = {}) {
  const { code, output } = await run(process.execPath, [
    '--import', 'tsx', '--test', '--test-reporter=tap', '--test-concurrency=1', '--test-timeout=300000', ...files,
  ], env);
  const count = (label) => Number(new RegExp(`^# ${label} (\\d+)$`, 'm').exec(output)?.[1] ?? 0);
  const failed = count('fail') + count('cancelled');
  record(name, count('pass'), failed || (code === 0 ? 0 : 1), count('skipped'));
}

/** @web/test-runner: reads its last `N passed, N failed`. */
async function browserTests(name) {
  const { code, output } = await run('npx', ['web-test-runner', '--config', 'test/web-test-runner.config.mjs']);
  const matches = [...output.matchAll(/(\d+) passed, (\d+) failed/g)].at(-1);
  const passed = Number(matches?.[1] ?? 0);
  const failed = Number(matches?.[2] ?? 0);
  record(name, passed, failed || (code === 0 ? 0 : 1), 0);
}

await check('type check', 'npx', ['tsc', '--noEmit']);
const built = await check('build', 'npx', ['rollup', '-c', '--silent']);
if (built) {
  await nodeTests('size budgets', ['test/size/size.test.ts']);
  await browserTests('unit and component tests (Chromium)');
  const postgres = findPostgres();
  if (!postgres.url) {
    console.warn(`\n*** PostgreSQL tests SKIPPED: ${postgres.reason}. Set KEFU_TEST_DATABASE_URL to run them. ***\n`);
  }
  await nodeTests('server tests', ['test/server/*.test.ts'].flatMap(expand), postgres.url ? { KEFU_TEST_DATABASE_URL: postgres.url } : {});
  await nodeTests('end-to-end tests', ['test/e2e/*.test.ts'].flatMap(expand));
} else {
  console.error('The build failed: the size, browser, server and end-to-end suites did not run.');
}

console.log(`\n${lines.join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed || !totals.passed ? 1 : 0);

function expand(pattern) {
  const [dir, glob] = [pattern.slice(0, pattern.lastIndexOf('/')), pattern.slice(pattern.lastIndexOf('/') + 1)];
  const regex = new RegExp(`^${glob.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`);
  return readdirSync(dir).filter((file) => regex.test(file)).sort().map((file) => `${dir}/${file}`);
}
