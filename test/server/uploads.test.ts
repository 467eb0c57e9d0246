import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import * as v from 'valibot';
import { MAX_UPLOAD_BYTES, Upload } from '../../src/api/schemas';
import { client, engines, startServer, warnIfPgliteOnly, type TestServer } from './harness';

warnIfPgliteOnly();

const bytes = (base64: string) => new Uint8Array(Buffer.from(base64, 'base64'));
// Real files: a 1×1 PNG, GIF and lossless WEBP, a JPEG header, and a one-page PDF.
const PNG = bytes('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==');
const GIF = bytes('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7');
const WEBP = bytes('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==');
const JPEG = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xff, 0xd9]);
const PDF = new TextEncoder().encode(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
  '3 0 obj<</Type/Page/MediaBox[0 0 3 3]/Parent 2 0 R>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
const EXE = new Uint8Array([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0xff, 0xff]);
const HTML = new TextEncoder().encode('<!doctype html><script>alert(document.domain)</script>');

interface Part {
  bytes: Uint8Array<ArrayBuffer>;
  /** The part's declared Content-Type ('' sends the default application/octet-stream). */
  type?: string;
  filename?: string;
  name?: string;
  key?: string | null;
  extra?: Record<string, string>;
}

/** Posts a multipart upload the way a browser's FormData does. */
async function upload(base: string, token: string, part: Part) {
  const form = new FormData();
  form.append('file', new Blob([part.bytes], { type: part.type ?? '' }), part.filename ?? 'evidence');
  if (part.name !== undefined) form.append('name', part.name);
  for (const [key, value] of Object.entries(part.extra ?? {})) form.append(key, value);
  const key = part.key === undefined ? randomUUID() : part.key;
  const response = await fetch(`${base}/v1/uploads`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, ...(key ? { 'Idempotency-Key': key } : {}) },
    body: form,
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

async function download(base: string, token: string, id: string) {
  const response = await fetch(`${base}/v1/uploads/${id}`, { headers: { Authorization: `Bearer ${token}` } });
  return { status: response.status, headers: response.headers, bytes: new Uint8Array(await response.arrayBuffer()) };
}

async function shopper(server: TestServer) {
  const api = client(server.base);
  await api.session();
  return api.token!;
}

for (const engine of engines) {
  describe(`uploads on ${engine.name}`, () => {
    let server: TestServer;
    before(async () => {
      server = await startServer(engine);
    });
    after(() => server.close());

    test('real PNG, JPEG, GIF, WEBP and PDF files are stored and typed by their bytes', async () => {
      const token = await shopper(server);
      const cases: [Uint8Array<ArrayBuffer>, string, string][] = [
        [PNG, 'image/png', 'screenshot.png'],
        [JPEG, 'image/jpeg', 'photo.jpg'],
        [GIF, 'image/gif', 'box.gif'],
        [WEBP, 'image/webp', 'label.webp'],
        [PDF, 'application/pdf', 'receipt.pdf'],
      ];
      for (const [content, type, filename] of cases) {
        const answer = await upload(server.base, token, { bytes: content, type, filename });
        assert.equal(answer.status, 201, `${filename}: ${JSON.stringify(answer.body)}`);
        const created = v.parse(Upload, answer.body);
        assert.equal(created.type, type);
        assert.equal(created.size, content.length);
        assert.equal(created.name, filename);
      }
      const undeclared = await upload(server.base, token, { bytes: PNG, type: '', filename: 'no-type' });
      assert.equal(undeclared.status, 201);
      assert.equal(undeclared.body.type, 'image/png', 'an undeclared type is taken from the bytes');
    });

    test('a renamed executable or HTML page declared as an image answers 415, as does a type mismatch', async () => {
      const token = await shopper(server);
      const exe = await upload(server.base, token, { bytes: EXE, type: 'image/png', filename: 'invoice.png' });
      assert.equal(exe.status, 415);
      assert.equal(exe.headers.get('content-type'), 'application/problem+json');
      const html = await upload(server.base, token, { bytes: HTML, type: 'image/png', filename: 'cute.png' });
      assert.equal(html.status, 415);
      const undeclaredHtml = await upload(server.base, token, { bytes: HTML, type: '', filename: 'page.html' });
      assert.equal(undeclaredHtml.status, 415);
      const mismatch = await upload(server.base, token, { bytes: PNG, type: 'application/pdf', filename: 'scan.pdf' });
      assert.equal(mismatch.status, 415);
      const rows = await server.db.query(`select 1 from uploads where name in ('invoice.png', 'cute.png', 'page.html', 'scan.pdf')`);
      assert.equal(rows.length, 0);
    });

    test('a file above MAX_UPLOAD_BYTES answers 413; other routes keep the 64 KB limit', async () => {
      const token = await shopper(server);
      const big = new Uint8Array(MAX_UPLOAD_BYTES + 1);
      big.set(PNG);
      const justOver = await upload(server.base, token, { bytes: big, type: 'image/png' });
      assert.equal(justOver.status, 413);
      assert.equal(justOver.headers.get('content-type'), 'application/problem+json');
      const huge = new Uint8Array(MAX_UPLOAD_BYTES + 256 * 1024);
      huge.set(PNG);
      const far = await upload(server.base, token, { bytes: huge, type: 'image/png' });
      assert.equal(far.status, 413);
      const exact = new Uint8Array(MAX_UPLOAD_BYTES);
      exact.set(PNG);
      const atLimit = await upload(server.base, token, { bytes: exact, type: 'image/png' });
      assert.equal(atLimit.status, 201, 'exactly the limit is allowed');

      const api = client(server.base);
      api.token = token;
      const key = randomUUID();
      const json = await api.call('POST', '/v1/conversations', { clientId: key, pad: 'x'.repeat(70 * 1024) }, { 'Idempotency-Key': key });
      assert.equal(json.status, 413);
    });

    test('GET serves the bytes to their owner with safe headers; anyone else gets the 404 of a missing id', async () => {
      const alice = await shopper(server);
      const bob = await shopper(server);
      const png = await upload(server.base, alice, { bytes: PNG, type: 'image/png', filename: 'Broken cup 破损.png' });
      const pdf = await upload(server.base, alice, { bytes: PDF, type: 'application/pdf', filename: 'receipt.pdf' });

      const image = await download(server.base, alice, png.body.id);
      assert.equal(image.status, 200);
      assert.deepEqual(image.bytes, PNG);
      assert.equal(image.headers.get('content-type'), 'image/png');
      assert.equal(image.headers.get('x-content-type-options'), 'nosniff');
      assert.equal(image.headers.get('content-security-policy'), "default-src 'none'; sandbox");
      assert.equal(image.headers.get('cache-control'), 'private');
      assert.equal(image.headers.get('content-disposition'), `inline; filename="Broken cup __.png"; filename*=UTF-8''Broken%20cup%20%E7%A0%B4%E6%8D%9F.png`);

      const document = await download(server.base, alice, pdf.body.id);
      assert.deepEqual(document.bytes, PDF);
      assert.equal(document.headers.get('content-type'), 'application/pdf');
      assert.match(document.headers.get('content-disposition') ?? '', /^attachment; filename="receipt\.pdf"/);

      const foreign = await fetch(`${server.base}/v1/uploads/${png.body.id}`, { headers: { Authorization: `Bearer ${bob}` } });
      const missing = await fetch(`${server.base}/v1/uploads/up_missing`, { headers: { Authorization: `Bearer ${bob}` } });
      assert.equal(foreign.status, 404);
      assert.equal(missing.status, 404);
      assert.deepEqual(await foreign.json(), await missing.json());
      assert.equal((await fetch(`${server.base}/v1/uploads/${png.body.id}`)).status, 401);
    });

    test('the same key and file replay the first answer; another file is 422; no key is 400', async () => {
      const token = await shopper(server);
      const key = randomUUID();
      const first = await upload(server.base, token, { bytes: PNG, type: 'image/png', filename: 'a.png', key });
      const replay = await upload(server.base, token, { bytes: PNG, type: 'image/png', filename: 'a.png', key });
      assert.equal(first.status, 201);
      assert.equal(first.body.clientId, key);
      assert.equal(replay.status, 201);
      assert.deepEqual(replay.body, first.body);
      const other = await upload(server.base, token, { bytes: GIF, type: 'image/gif', filename: 'a.png', key });
      assert.equal(other.status, 422);
      const renamed = await upload(server.base, token, { bytes: PNG, type: 'image/png', filename: 'b.png', key });
      assert.equal(renamed.status, 422, 'the name is part of the upload');
      const rows = await server.db.query('select 1 from uploads where client_id = $1', [key]);
      assert.equal(rows.length, 1);
      const bare = await upload(server.base, token, { bytes: PNG, type: 'image/png', key: null });
      assert.equal(bare.status, 400);
    });

    test('names lose folders and direction tricks; the name field overrides the file name', async () => {
      const token = await shopper(server);
      const traversal = await upload(server.base, token, { bytes: PNG, type: 'image/png', filename: 'x.png', name: '..\\..\\windows\\evil\u202Egnp.exe' });
      assert.equal(traversal.body.name, 'evilgnp.exe');
      const blank = await upload(server.base, token, { bytes: PDF, type: 'application/pdf', name: '   ' });
      assert.equal(blank.body.name, 'upload.pdf');
    });

    test('a body that is not multipart answers 415; a missing file or an unknown field answers 400 naming it', async () => {
      const token = await shopper(server);
      const json = await fetch(`${server.base}/v1/uploads`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': randomUUID(), 'Content-Type': 'application/json' },
        body: JSON.stringify({ file: 'iVBORw0KGgo=' }),
      });
      assert.equal(json.status, 415);
      const form = new FormData();
      form.append('name', 'nothing.png');
      const empty = await fetch(`${server.base}/v1/uploads`, {
        method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Idempotency-Key': randomUUID() }, body: form,
      });
      assert.equal(empty.status, 400);
      assert.deepEqual((await empty.json()).errors.map((e: { path: string }) => e.path), ['file']);
      const extra = await upload(server.base, token, { bytes: PNG, type: 'image/png', extra: { owner: 'someone' } });
      assert.equal(extra.status, 400);
      assert.deepEqual(extra.body.errors.map((e: { path: string }) => e.path), ['owner']);
    });
  });
}
