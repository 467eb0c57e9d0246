/**
 * The npm entry: `createKefu` gives the same API as `window.Kefu`, with the panel code-split by the
 * host's bundler. No side effects on import: nothing runs until `createKefu` is called.
 */
import { createApi } from './embed/api';
import type { KefuApi, KefuOptions, PanelModule } from './embed/types';

export type {
  KefuApi, KefuContext, KefuEvent, KefuEvents, KefuOptions, KefuTheme, KefuView,
} from './embed/types';
export type { BackendAdapter, EventStreamOptions, StreamState } from './client/BackendAdapter';
export { RestAdapter, type RestAdapterOptions } from './client/RestAdapter';
export { MemoryAdapter, type MemoryAdapterOptions } from './client/MemoryAdapter';
export { KefuError, HttpError, isKefuError, isHttpError, isRetryable, type ErrorCode } from './client/errors';
export type * from './api/schemas';

/** The package version, the same as `window.Kefu.version` of the matching kefu.js. */
export const version: string = '__KEFU_VERSION__';

/**
 * Creates a widget instance with the same API as `window.Kefu`. With `options` it also calls
 * `init(options)` (a failure is logged and emitted as `error`; call `init` yourself to await it).
 * The panel is a dynamic import: your bundler splits it into its own chunk, loaded on intent.
 */
export function createKefu(options?: KefuOptions): KefuApi {
  const api = createApi(() => import('./panel') as Promise<PanelModule>, version);
  if (options) void api.init(options);
  return api;
}
