/** One msw worker for the unit tests, served from the root by the test runner's middleware. */
import { setupWorker } from 'msw/browser';
import type { RequestHandler } from 'msw';

export const worker = setupWorker();
let started: Promise<unknown> | undefined;

/** Starts the worker once and replaces the handlers for this test. */
export async function useHandlers(...handlers: RequestHandler[]) {
  started ??= worker.start({ serviceWorker: { url: '/mockServiceWorker.js' }, quiet: true, onUnhandledRequest: 'error' });
  await started;
  worker.resetHandlers(...handlers);
}
