/**
 * The page context (design §2): what the shopper is looking at, set by the host with `setContext`
 * (from its router: no URL polling) and, with `trackNavigation`, followed from the host's own
 * navigation events. Sent with a new conversation, so the agent sees where the shopper was.
 */
import { signal } from '@preact/signals';
import type { PageContext } from '../api/schemas';
import type { KefuContext } from '../embed/types';

const pagePath = () => location.pathname.slice(0, 512);

/** The device class the agent sees, by viewport width (no user-agent sniffing). */
const device = (): PageContext['device'] => (innerWidth < 640 ? 'mobile' : innerWidth < 1024 ? 'tablet' : 'desktop');

export function createPageContext(initial: KefuContext = {}) {
  const context = signal<KefuContext>(initial);
  let untrack: (() => void) | undefined;

  return {
    context,
    /** Replaces what the host set. */
    set(next: KefuContext) {
      context.value = next;
    },
    /** The context for a new conversation: the host's, plus the page, device and locale. */
    snapshot(locale: PageContext['locale']): PageContext {
      return { page: pagePath(), ...context.value, device: device(), locale };
    },
    /**
     * Follows client-side navigation into `page`, without a timer: the Navigation API's
     * `currententrychange` (it also sees `history.pushState`) where there is one, else `popstate`
     * and the host's `kefu:navigate` event (dispatch it after `pushState`). `stop()` ends it.
     */
    track() {
      const follow = (event: Event) => {
        const page = (event as CustomEvent<{ page?: string } | null>).detail?.page;
        context.value = { ...context.value, page: (typeof page == 'string' ? page : pagePath()).slice(0, 512) };
      };
      const navigation = (window as unknown as { navigation?: EventTarget }).navigation;
      const targets: [EventTarget, string][] = navigation
        ? [[navigation, 'currententrychange'], [window, 'kefu:navigate']]
        : [[window, 'popstate'], [window, 'kefu:navigate']];
      for (const [target, type] of targets) target.addEventListener(type, follow);
      untrack = () => {
        for (const [target, type] of targets) target.removeEventListener(type, follow);
      };
    },
    stop() {
      untrack?.();
    },
  };
}

export type PageContextState = ReturnType<typeof createPageContext>;
