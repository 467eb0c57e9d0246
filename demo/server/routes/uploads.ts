import { Hono, type Context } from 'hono';
import { createHash, randomUUID } from 'node:crypto';
import { MAX_UPLOAD_BYTES, type Upload, type UploadType } from '../../../src/api/schemas';
import type { Deps, Env } from '../context';
import { declaredTypeAgrees, sniffUploadType } from '../fileType';
import type { Idempotent } from '../idempotency';
import { notFound, ProblemError } from '../problem';
import { iso } from '../rows';

const FIELDS = new Set(['file', 'name']);
const MAX_NAME = 200;
const EXTENSIONS: Record<UploadType, string> = {
  'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp', 'application/pdf': 'pdf',
};

interface UploadRow {
  id: string;
  client_id: string;
  name: string;
  type: UploadType;
  size: number;
  created_at: Date;
}

/**
 * Evidence files. `POST /v1/uploads` takes multipart/form-data with a `file` part and an optional
 * `name`; the Idempotency-Key (the client's UUID) is also the upload's clientId. `GET
 * /v1/uploads/:id` serves the bytes to their owner only, in a way no browser will run them.
 */
export function uploadsRoutes({ db }: Deps, idempotent: Idempotent) {
  const app = new Hono<Env>();

  app.post('/uploads', async (c) => {
    const { file, name } = await readUpload(c);
    if (file.size > MAX_UPLOAD_BYTES) {
      throw new ProblemError(413, 'Payload Too Large', `Uploads are limited to ${MAX_UPLOAD_BYTES} bytes`);
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (!bytes.length) throw fieldError('file', 'must not be empty');
    const type = sniffUploadType(bytes);
    if (!type) throw new ProblemError(415, 'Unsupported Media Type', 'Only PNG, JPEG, GIF, WEBP images and PDF documents can be uploaded');
    if (!declaredTypeAgrees(file.type, type)) {
      throw new ProblemError(415, 'Unsupported Media Type', `The file was declared as ${file.type.slice(0, 100)} but its content is ${type}`);
    }
    const upload = { name: cleanName(name ?? file.name, type), type, size: bytes.length };
    // The shared helper fingerprints what it is given: the file's digest stands for its bytes.
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return idempotent(c, { ...upload, sha256 }, async (q, auth) => {
      const [row] = await q.query<UploadRow>(
        `insert into uploads (id, site, owner, client_id, name, type, size, data) values ($1, $2, $3, $4, $5, $6, $7, $8)
         returning id, client_id, name, type, size, created_at`,
        [`up_${randomUUID()}`, auth.site, auth.owner, c.req.header('Idempotency-Key'), upload.name, upload.type, upload.size, bytes],
      );
      return toUpload(row!);
    });
  });

  app.get('/uploads/:id', async (c) => {
    const { site, owner } = c.get('auth');
    return serveUpload(c, await db.query<UploadFile>(
      'select name, type, data from uploads where id = $1 and site = $2 and owner = $3',
      [c.req.param('id'), site, owner],
    ));
  });

  return app;
}

type UploadFile = { name: string; type: UploadType; data: Uint8Array };

/**
 * An upload's bytes (the shopper's own, or any for an agent), served so that no browser runs them:
 * its sniffed type, nosniff, a sandboxing CSP and a Content-Disposition with its name.
 */
export function serveUpload(c: Context, [row]: UploadFile[]) {
  if (!row) throw notFound('Upload');
  const disposition = row.type.startsWith('image/') ? 'inline' : 'attachment';
  return c.body(new Uint8Array(row.data), 200, {
    'Content-Type': row.type,
    'X-Content-Type-Options': 'nosniff',
    // Opened directly, the file runs nothing and reaches nothing, whatever it turns out to be.
    'Content-Security-Policy': "default-src 'none'; sandbox",
    'Content-Disposition': contentDisposition(disposition, row.name),
    'Cache-Control': 'private',
  });
}

/** The `file` part and optional `name` of a multipart body; anything else is a 400 or 415 naming the problem. */
async function readUpload(c: Context): Promise<{ file: File; name?: string }> {
  const contentType = c.req.header('Content-Type') ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new ProblemError(415, 'Unsupported Media Type', 'Send the file as multipart/form-data with a "file" part');
  }
  let form: FormData;
  try {
    form = await c.req.raw.formData();
  } catch {
    throw new ProblemError(400, 'Bad Request', 'The body is not valid multipart/form-data');
  }
  const errors = [];
  for (const key of new Set(form.keys())) {
    if (!FIELDS.has(key)) errors.push({ path: key, message: 'is not a known field' });
    else if (form.getAll(key).length > 1) errors.push({ path: key, message: 'must appear once' });
  }
  const file = form.get('file');
  const name = form.get('name');
  if (typeof file === 'string' || file === null) errors.push({ path: 'file', message: 'must be a file part' });
  if (name !== null && typeof name !== 'string') errors.push({ path: 'name', message: 'must be text' });
  if (errors.length) throw new ProblemError(400, 'Bad Request', 'The body does not match the contract', errors);
  return { file: file as File, name: (name as string | null) ?? undefined };
}

const fieldError = (path: string, message: string) =>
  new ProblemError(400, 'Bad Request', 'The body does not match the contract', [{ path, message }]);

/**
 * A display name without folders, control or bidi-override characters (`gpj.exe` shown as
 * `exe.jpg`), at most MAX_NAME characters; an empty one becomes `upload.<ext>`.
 */
function cleanName(raw: string, type: UploadType): string {
  const base = raw.split(/[\\/]/).pop() ?? '';
  const clean = Array.from(base.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').trim())
    .slice(0, MAX_NAME)
    .join('');
  return clean || `upload.${EXTENSIONS[type]}`;
}

/** RFC 6266: an ASCII fallback for old agents and the exact UTF-8 name in `filename*`. */
function contentDisposition(disposition: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const toUpload = (row: UploadRow): Upload => ({
  id: row.id,
  clientId: row.client_id,
  name: row.name,
  type: row.type,
  size: row.size,
  createdAt: iso(row.created_at),
});
