// Installs the peer widgets we compare against, at pinned versions, into .bench/peers.
// Pinned so that two runs months apart measure the same bytes.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, renameSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const PEER_VERSIONS = {
  '@rocket.chat/livechat': '1.13.3',
  'deep-chat': '2.4.2',
  '@n8n/chat': '1.37.0',
};

const INSTALL_TIMEOUT_MS = 5 * 60_000;

function installedVersion(pkgJson) {
  try {
    return JSON.parse(readFileSync(pkgJson, 'utf8')).version;
  } catch {
    return null;
  }
}

/** Where each peer's servable files live once installed. */
export function peerDirs(benchDir) {
  const peers = path.join(benchDir, 'peers');
  return {
    rocketchat: path.join(peers, 'node_modules/@rocket.chat/livechat/build'),
    deepchat: path.join(peers, 'node_modules/deep-chat/dist'),
    n8n: path.join(peers, 'n8n-chat/dist'),
  };
}

/** Plain npm install for the peers that install cleanly. */
async function installNpmPeers(peersDir, log) {
  const wanted = ['@rocket.chat/livechat', 'deep-chat'];
  const missing = wanted.filter(
    (name) => installedVersion(path.join(peersDir, 'node_modules', name, 'package.json')) !== PEER_VERSIONS[name],
  );
  if (missing.length === 0) return;
  log(`installing ${missing.map((n) => `${n}@${PEER_VERSIONS[n]}`).join(', ')} into ${peersDir}`);
  mkdirSync(peersDir, { recursive: true });
  // --ignore-scripts: we only need the shipped build output, never run peer install hooks.
  await run(
    'npm',
    ['install', '--prefix', peersDir, '--no-save', '--ignore-scripts', '--no-audit', '--no-fund',
      ...wanted.map((n) => `${n}@${PEER_VERSIONS[n]}`)],
    { timeout: INSTALL_TIMEOUT_MS, maxBuffer: 16 << 20 },
  );
}

/**
 * @n8n/chat cannot be npm-installed (one of its dependency versions is missing from the
 * registry), but its tarball ships a self-contained dist/ (ES bundle + chunks + style.css),
 * which is exactly what its CDN embed serves. So: npm pack, untar, keep dist/.
 */
async function installN8n(benchDir, peersDir, log) {
  const target = path.join(peersDir, 'n8n-chat');
  const version = PEER_VERSIONS['@n8n/chat'];
  if (installedVersion(path.join(target, 'package.json')) === version) return;
  log(`fetching @n8n/chat@${version} tarball (npm pack)`);
  const { stdout } = await run('npm', ['pack', `@n8n/chat@${version}`, '--pack-destination', benchDir], {
    timeout: INSTALL_TIMEOUT_MS,
  });
  const tarball = path.join(benchDir, stdout.trim().split('\n').pop());
  const tmp = path.join(benchDir, 'n8n-extract');
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', tmp], { timeout: 60_000 });
  rmSync(target, { recursive: true, force: true });
  // Move package/ into place last, so a half-finished extract never looks installed.
  renameSync(path.join(tmp, 'package'), target);
  rmSync(tmp, { recursive: true, force: true });
  rmSync(tarball, { force: true });
  if (!readdirSync(path.join(target, 'dist')).includes('chat.bundle.es.js')) {
    throw new Error('@n8n/chat tarball has no dist/chat.bundle.es.js');
  }
}

/** Makes sure all peers are present; returns their servable directories and versions. */
export async function ensurePeers(benchDir, log = console.log) {
  const peersDir = path.join(benchDir, 'peers');
  await installNpmPeers(peersDir, log);
  await installN8n(benchDir, peersDir, log);
  const dirs = peerDirs(benchDir);
  for (const [id, dir] of Object.entries(dirs)) {
    if (!existsSync(dir)) throw new Error(`peer ${id}: ${dir} missing after install`);
  }
  return { dirs, versions: { ...PEER_VERSIONS } };
}
