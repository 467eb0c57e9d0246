/**
 * Uploads: the checks both adapters make before sending, and the one request that goes through
 * `XMLHttpRequest`, because fetch (and so ky) cannot report upload progress over HTTP/1.1.
 */
import * as v from 'valibot';
import { MAX_UPLOAD_BYTES, UploadType } from '../api/schemas';
import { KefuError } from './errors';

/** Why this file may not be sent, or undefined when it may: the server would refuse it too. */
export function uploadRefusal(file: Blob): KefuError | undefined {
  if (!v.is(UploadType, file.type)) return new KefuError('file_type', `Files of type "${file.type}" cannot be sent`);
  if (file.size > MAX_UPLOAD_BYTES) return new KefuError('file_too_large', `Files over ${MAX_UPLOAD_BYTES} bytes cannot be sent`);
}

/** The error an upload cancelled through its AbortSignal rejects with. */
export const aborted = () => new KefuError('aborted', 'The upload was cancelled');

/**
 * POSTs `body` with upload progress and cancel; answers a `Response` (any status) so the caller
 * handles it like one from fetch. Rejects with a KefuError when no answer came.
 */
export function postWithProgress(
  url: string, body: FormData, headers: Record<string, string>,
  onProgress?: (fraction: number) => void, signal?: AbortSignal,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(aborted());
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onProgress) xhr.upload.onprogress = (event) => event.total && onProgress(event.loaded / event.total);
    xhr.onload = () =>
      resolve(new Response(xhr.responseText || null, {
        status: xhr.status,
        statusText: xhr.statusText,
        headers: { 'Retry-After': xhr.getResponseHeader('Retry-After') ?? '' },
      }));
    xhr.onerror = () => reject(new KefuError('network', 'The server could not be reached'));
    xhr.onabort = () => reject(aborted());
    xhr.onloadend = () => signal?.removeEventListener('abort', abort);
    signal?.addEventListener('abort', abort);
    xhr.send(body);
  });
}
