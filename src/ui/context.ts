import type { Signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { PageContext, TicketItem } from '../api/schemas';
import type { Chat } from '../core/chat';
import type { Desk } from '../core/desk';
import type { KefuView } from '../embed/types';
import type { I18n } from '../i18n';

/** Where the panel is: a public view (`Kefu.open(view)`), or a flow opened from one. */
export type PanelView = KefuView | { refund: string; items?: TicketItem[] } | { complaint: string };

export interface PanelServices {
  /** The chat once the session is open (read inside render: it is a signal). */
  readonly chat: Chat | null;
  /** Orders, tickets, FAQ and ratings once the session is open. */
  readonly desk: Desk | null;
  /** Why the session could not start, if it could not. */
  readonly failure: unknown;
  i18n: I18n;
  view: Signal<PanelView>;
  /** Whether the panel shows (it stays mounted, hidden, once opened). */
  readonly open: boolean;
  /** Moves to a view (a tab, an article, a flow). */
  go: (view: PanelView) => void;
  /** Opens the chat with `text` in the composer, for the shopper to finish and send. */
  askInChat: (text: string) => void;
  /** The composer's text, so the API and the flows can prefill it. */
  draft: Signal<string>;
  /** What the shopper is looking at (suggestions depend on it). */
  page: () => PageContext;
  /** Mounted in the merchant's element (`container`): no close button, not a floating dialog. */
  inline: boolean;
  /** Whether opening moves focus into the panel (not for inline mode's first show). */
  readonly autoFocus: boolean;
  /** Adds a stylesheet to the panel's shadow root once (the lazily loaded views bring their own). */
  adopt: (sheet: CSSStyleSheet) => void;
  close: () => void;
  /** Tries to start the session again after a failure. */
  restart: () => void;
}

export const Services = createContext<PanelServices | null>(null);

/** The panel's services (chat state, translator, close); components read what they render. */
export function useServices(): PanelServices {
  const services = useContext(Services);
  if (!services) throw new Error('Kefu components must be rendered inside <Services.Provider>');
  return services;
}

/** The tab a view belongs to. */
export function tabOf(view: PanelView): 'home' | 'chat' | 'help' | 'orders' | 'tickets' {
  if (typeof view === 'string') return view;
  if ('article' in view) return 'help';
  if ('order' in view || 'refund' in view) return 'orders';
  return 'tickets';
}
