// One tiny static server on 127.0.0.1: the demo pages, the peers' shipped files, and a stub
// backend that answers the peers' API calls fast (we measure the client, not a backend).
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/**
 * The smallest config under which Rocket.Chat Livechat 1.x draws its bubble: enabled, online,
 * no registration form, no triggers. A real server sends many more fields; the widget falls
 * back to defaults for the missing ones.
 */
const ROCKETCHAT_CONFIG = {
  success: true,
  config: {
    enabled: true,
    online: true,
    settings: {
      registrationForm: false,
      nameFieldRegistrationForm: false,
      emailFieldRegistrationForm: false,
      displayOfflineForm: true,
      fileUpload: false,
      allowSwitchingDepartments: false,
      forceAcceptDataProcessingConsent: false,
      showConnecting: false,
      agentHiddenInfo: false,
      limitTextLength: false,
    },
    theme: { title: 'Tea House support', color: '#2d4a3e', offlineTitle: 'Leave a message' },
    messages: {},
    survey: {},
    triggers: [],
    departments: [],
    resources: {},
  },
};

function send(res, status, body, type = 'application/json', extra = {}) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
  // No Content-Encoding on purpose: bodies arrive uncompressed; the harness compresses them itself.
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': buf.length,
    'Access-Control-Allow-Origin': '*',
    'Access-Control-Allow-Headers': '*',
    ...extra,
  });
  res.end(buf);
}

/** Serves a file under `root`, refusing paths that escape it. */
async function serveFile(res, root, rel, transform) {
  const file = path.join(root, rel);
  if (!file.startsWith(root + path.sep) && file !== root) return send(res, 403, { error: 'forbidden' });
  try {
    if (!(await stat(file)).isFile()) return send(res, 404, { error: 'not found' });
    let body = await readFile(file);
    if (transform) body = Buffer.from(transform(body.toString('utf8')));
    // Peers are served like a CDN would: cacheable, so the "cached" open is meaningful.
    return send(res, 200, body, TYPES[path.extname(file)] ?? 'application/octet-stream', {
      'Cache-Control': 'public, max-age=3600',
    });
  } catch {
    return send(res, 404, { error: 'not found' });
  }
}

/** Minimal answers for the peers' backend calls. */
function stub(req, res, url) {
  if (req.method === 'OPTIONS') return send(res, 204, '');
  if (url.pathname === '/api/v1/livechat/config') return send(res, 200, ROCKETCHAT_CONFIG);
  // n8n asks for the previous session when the window opens.
  if (url.pathname.startsWith('/stub/n8n')) return send(res, 200, { data: [] });
  if (url.pathname.startsWith('/stub/deep-chat')) return send(res, 200, { text: 'Hello from the stub.' });
  return send(res, 404, { success: false, error: 'stub' });
}

/**
 * Starts the server. `pages` maps a page name to a function (origin) => HTML.
 * Resolves to { origin, close() }.
 */
export function startServer({ dirs, pages }) {
  let origin = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, origin);
    const p = decodeURIComponent(url.pathname);
    const page = p.match(/^\/page\/([\w-]+)\.html$/);
    if (page && pages[page[1]]) return send(res, 200, pages[page[1]](origin), TYPES['.html'], { 'Cache-Control': 'no-store' });
    // Rocket.Chat serves the livechat app at /livechat and injects SERVER_URL into its index.html;
    // we do the same, pointing it at this server's stub.
    if (p === '/livechat' || p === '/livechat/' || p === '/livechat/index.html') {
      return serveFile(res, dirs.rocketchat, 'index.html', (html) =>
        html.replace('<head>', `<head><script>SERVER_URL=${JSON.stringify(origin)}</script>`));
    }
    if (p.startsWith('/livechat/')) return serveFile(res, dirs.rocketchat, p.slice('/livechat/'.length));
    if (p.startsWith('/peers/deep-chat/')) return serveFile(res, dirs.deepchat, p.slice('/peers/deep-chat/'.length));
    if (p.startsWith('/peers/n8n-chat/')) return serveFile(res, dirs.n8n, p.slice('/peers/n8n-chat/'.length));
    if (p === '/favicon.ico') return send(res, 204, '');
    return stub(req, res, url);
  });
  // Rocket.Chat's DDP websocket: refuse it at once, as an unreachable realtime server would.
  server.on('upgrade', (_req, socket) => socket.destroy());
  const sockets = new Set();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      origin = `http://127.0.0.1:${server.address().port}`;
      resolve({
        origin,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}
