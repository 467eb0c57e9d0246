/**
 * The npm entry: `createKefu` gives the same API as `window.Kefu`, with the panel code-split by the
 * host's bundler. No side effects on import.
 */
import { createEmbed } from './embed/embed';
import type { KefuOptions, PanelModule } from './embed/types';

export type { KefuOptions } from './embed/types';
export type { BackendAdapter, EventStreamOptions, StreamState } from './client/BackendAdapter';
export { RestAdapter, type RestAdapterOptions } from './client/RestAdapter';
export { MemoryAdapter, type MemoryAdapterOptions } from './client/MemoryAdapter';
export { KefuError, HttpError, isKefuError, isHttpError, isRetryable, type ErrorCode } from './client/errors';
export type * from './api/schemas';

/** Creates a widget instance on this page: draws the bubble, loads the panel when the shopper reaches for it. */
export function createKefu(options: KefuOptions) {
  const embed = createEmbed(options, () => import('./panel') as Promise<PanelModule>);
  return {
    /** Opens the panel (optionally on a view). */
    open: (view?: string) => embed.call('open', [view]) as Promise<void>,
    close: () => embed.call('close', []) as Promise<void>,
    toggle: () => embed.call('toggle', []) as Promise<void>,
    /** Opens the chat with `text` sent as the shopper's question. */
    ask: (text: string) => embed.call('ask', [text]) as Promise<void>,
    on: embed.on,
    off: embed.off,
    get unread() {
      return embed.unread;
    },
    destroy: embed.destroy,
  };
}

export type KefuInstance = ReturnType<typeof createKefu>;
