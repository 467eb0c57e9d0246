/**
 * An upload's type decided by its first bytes, never by its name or declared type: a renamed
 * executable or an HTML page labelled `image/png` is no image, and serving it as one could run it.
 */
import type { UploadType } from '../../src/api/schemas';

const ascii = (text: string) => Array.from(text, (char) => char.charCodeAt(0));

// [type, offset, bytes]; every listed signature must match. WEBP is a RIFF container whose form type is WEBP.
const SIGNATURES: [UploadType, [number, number[]][]][] = [
  ['image/png', [[0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]]]],
  ['image/jpeg', [[0, [0xff, 0xd8, 0xff]]]],
  ['image/gif', [[0, ascii('GIF87a')]]],
  ['image/gif', [[0, ascii('GIF89a')]]],
  ['image/webp', [[0, ascii('RIFF')], [8, ascii('WEBP')]]],
  ['application/pdf', [[0, ascii('%PDF-')]]],
];

/** The upload type the bytes are, or undefined for anything else. */
export function sniffUploadType(bytes: Uint8Array): UploadType | undefined {
  return SIGNATURES.find(([, parts]) =>
    parts.every(([offset, signature]) => signature.every((byte, i) => bytes[offset + i] === byte)),
  )?.[0];
}

// Names browsers and operating systems use for the same types.
const ALIASES: Record<string, UploadType> = { 'image/jpg': 'image/jpeg', 'image/pjpeg': 'image/jpeg', 'application/x-pdf': 'application/pdf' };

/**
 * Whether a declared type agrees with the sniffed one. No declaration (or the generic
 * `application/octet-stream` some browsers send) defers to the bytes.
 */
export function declaredTypeAgrees(declared: string, actual: UploadType): boolean {
  const type = declared.split(';')[0]!.trim().toLowerCase();
  if (!type || type === 'application/octet-stream') return true;
  return (ALIASES[type] ?? type) === actual;
}
