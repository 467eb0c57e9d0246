import type { Signal } from '@preact/signals';
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Chat } from '../core/chat';
import type { KefuView } from '../embed/types';
import type { I18n } from '../i18n';

export interface PanelServices {
  /** The chat once the session is open (read inside render: it is a signal). */
  readonly chat: Chat | null;
  /** Why the session could not start, if it could not. */
  readonly failure: unknown;
  i18n: I18n;
  /** The view the API asked for (`open(view)`); the tabs route on it as they land. */
  view: Signal<KefuView>;
  /** The composer's text, so the API can prefill it (`startComplaint`, `startRefund`). */
  draft: Signal<string>;
  /** Mounted in the merchant's element (`container`): no close button, not a floating dialog. */
  inline: boolean;
  /** Whether opening moves focus into the panel (not for inline mode's first show). */
  readonly autoFocus: boolean;
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
