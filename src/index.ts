/**
 * The npm entry: `createKefu` gives the same API as `window.Kefu`, with the panel code-split by the
 * host's bundler. No side effects on import.
 */
import { createEmbed, type Embed } from './embed/embed';
import type { KefuOptions, PanelModule } from './embed/types';

export type { KefuOptions } from './embed/types';
export type { Embed as KefuInstance } from './embed/embed';
export type { BackendAdapter, EventStreamOptions, StreamState } from './client/BackendAdapter';
export { RestAdapter, type RestAdapterOptions } from './client/RestAdapter';
export { MemoryAdapter, type MemoryAdapterOptions } from './client/MemoryAdapter';
export { KefuError, HttpError, isKefuError, isHttpError, isRetryable, type ErrorCode } from './client/errors';
export type * from './api/schemas';

/** Creates a widget instance on this page: draws the bubble, loads the panel when the shopper reaches for it. */
export function createKefu(options: KefuOptions): Embed {
  return createEmbed(options, () => import('./panel') as Promise<PanelModule>);
}
