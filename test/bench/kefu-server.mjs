// Starts Kefu's reference server (demo/server/main.ts) for the Kefu column, or explains why not.
// A missing build or a server that does not come up skips Kefu; it does not fail the benchmark,
// so the harness stays usable on the peers while Kefu is being built.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, sleep } from './util.mjs';

const START_TIMEOUT_MS = 60_000;

async function ready(url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Resolves to { origin, stop() } or { skipped: 'reason' }.
 * `root` is the repository root.
 */
export async function startKefu(root, log = console.log) {
  if (!existsSync(path.join(root, 'dist/kefu.js'))) {
    return { skipped: 'dist/kefu.js not found — run `npm run build` first' };
  }
  if (!existsSync(path.join(root, 'demo/server/main.ts'))) {
    return { skipped: 'demo/server/main.ts not found — no reference server to serve Kefu' };
  }
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kefu-bench-'));
  const origin = `http://127.0.0.1:${port}`;
  // detached: the server runs in its own process group, so stop() ends npx, tsx and node together.
  const child = spawn('npx', ['--no-install', 'tsx', 'demo/server/main.ts'], {
    cwd: root,
    // The per-token rate limit is lifted: the outbox bench sends 1,000 messages from one session.
    env: { ...process.env, PORT: String(port), KEFU_DATA_DIR: dataDir, KEFU_DEMO: '1', KEFU_RATE_TOKEN: '10000/s burst 10000' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const keep = (chunk) => { output = (output + chunk).slice(-4000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  child.on('exit', (code, signal) => { exited = signal ?? code; });

  const stop = async () => {
    if (exited === null) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      for (let i = 0; i < 20 && exited === null; i++) await sleep(100);
      if (exited === null) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  log(`starting Kefu reference server on ${origin}`);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline && exited === null) {
    if (await ready(`${origin}/kefu.js`)) return { origin, stop };
    await sleep(300);
  }
  await stop();
  const why = exited !== null ? `exited (${exited})` : `not answering /kefu.js after ${START_TIMEOUT_MS / 1000} s`;
  return { skipped: `Kefu reference server ${why}; last output:\n${output.trim().split('\n').slice(-15).join('\n')}` };
}
