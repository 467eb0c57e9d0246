import type { BackendAdapter } from '../client/BackendAdapter';

/** Options shared by the script tag (`data-*`), `Kefu('init', …)` and `createKefu(…)`. */
export interface KefuOptions {
  /** Site key, `pk_…`. */
  site?: string;
  /** Base URL of the Kefu API (default: where kefu.js came from). */
  api?: string;
  /** `en` or `zh-CN` (default: the browser's language). */
  locale?: string;
  theme?: 'light' | 'dark' | 'auto';
  position?: 'left' | 'right';
  /** Draw the floating bubble (default true). */
  launcher?: boolean;
  /** npm only: use this backend instead of the REST client (custom backends, tests, demos). */
  adapter?: BackendAdapter;
}

/** What the panel may ask of its host: the launcher and the event bus stay outside the chunk. */
export interface Bridge {
  launcher: HTMLButtonElement | null;
  setOpen(open: boolean): void;
  setUnread(count: number): void;
  emit(event: string, data?: unknown): void;
}

export interface PanelHandle {
  open(view?: string): void;
  close(): void;
  toggle(): void;
  ask(text: string): Promise<void>;
  destroy(): void;
}

export interface PanelModule {
  mount(root: ShadowRoot, options: KefuOptions, bridge: Bridge): PanelHandle;
}
