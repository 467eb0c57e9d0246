// Byte accounting: every response body the widget fetched, compressed by us with gzip -9 and
// brotli q11, so the numbers do not depend on how a server happens to be configured.
import { createHash } from 'node:crypto';
import zlib from 'node:zlib';

// API traffic depends on the backend's data, not on the widget's code: counted apart.
const API_TYPES = new Set(['fetch', 'xhr', 'eventsource', 'websocket', 'ping', 'beacon']);

const cache = new Map(); // sha1 -> { gzip, brotli }: brotli q11 on megabytes is slow, do it once

export function compressedSizes(buf) {
  const key = createHash('sha1').update(buf).digest('hex');
  let hit = cache.get(key);
  if (!hit) {
    hit = {
      gzip: zlib.gzipSync(buf, { level: 9 }).length,
      brotli: zlib.brotliCompressSync(buf, {
        params: {
          [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
          [zlib.constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
        },
      }).length,
    };
    cache.set(key, hit);
  }
  return hit;
}

/** One fetched resource, as recorded by the tracker. */
export function describeResponse({ url, type, status, body, phase }) {
  const { gzip, brotli } = compressedSizes(body);
  return { url, type, status, phase, raw: body.length, gzip, brotli, api: API_TYPES.has(type) };
}

/** Sums raw/gzip/brotli over resources. */
export function totals(resources) {
  const sum = { raw: 0, gzip: 0, brotli: 0, requests: 0 };
  for (const r of resources) {
    sum.raw += r.raw;
    sum.gzip += r.gzip;
    sum.brotli += r.brotli;
    sum.requests += 1;
  }
  return sum;
}
