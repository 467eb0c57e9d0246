/** Real PNG files for the end-to-end tests and screenshots, encoded here (truecolour, no filter). */
import { crc32, deflateSync } from 'node:zlib';

/** A PNG of `width` × `height` whose pixel at (x, y) is `colour(x, y)` as [r, g, b]. */
export function png(width: number, height: number, colour: (x: number, y: number) => readonly number[]): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const framed = Buffer.alloc(body.length + 8);
    framed.writeUInt32BE(data.length, 0);
    body.copy(framed, 4);
    framed.writeUInt32BE(crc32(body), body.length + 4);
    return framed;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8 bits, truecolour, deflate, no filter method, no interlace
  const stride = width * 3 + 1;
  const rows = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rows.set(colour(x, y), y * stride + 1 + x * 3);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', deflateSync(rows)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A photo-like picture of a parcel with a crushed corner, for the screenshots. */
export const parcelPhoto = () => png(480, 320, (x, y) => {
  const inBox = x > 110 && x < 370 && y > 80 && y < 260 && !(x > 300 && y < 80 + (x - 300));
  if (inBox) return y > 150 && y < 166 ? [214, 190, 120] : [176 - (y >> 4), 128 - (y >> 4), 78];
  return [236 - (y >> 3), 232 - (y >> 3), 222 - (y >> 3)];
});
