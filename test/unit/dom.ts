// DOM helpers of the widget's component tests.

/** Resolves when `check` passes, re-checking on every DOM change in the document and shadow roots (no sleeps). */
export function until(check: () => unknown, what = 'condition'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const observers: MutationObserver[] = [];
    const done = () => {
      clearTimeout(timer);
      for (const observer of observers) observer.disconnect();
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${what} not met within 5 s`));
    }, 5000);
    const watch = (node: Node) => {
      const observer = new MutationObserver(() => {
        for (const host of document.querySelectorAll('kefu-root')) if (host.shadowRoot) watchOnce(host.shadowRoot);
        if (!check()) return;
        done();
        resolve();
      });
      observer.observe(node, { subtree: true, childList: true, attributes: true, characterData: true });
      observers.push(observer);
    };
    const watched = new WeakSet<Node>();
    const watchOnce = (node: Node) => {
      if (watched.has(node)) return;
      watched.add(node);
      watch(node);
    };
    watchOnce(document);
    for (const host of document.querySelectorAll('kefu-root')) if (host.shadowRoot) watchOnce(host.shadowRoot);
  });
}

/** The first widget's shadow root, and an element in it. */
export const shadow = () => document.querySelector('kefu-root')?.shadowRoot ?? null;
export const $ = <E extends HTMLElement = HTMLElement>(selector: string) => shadow()?.querySelector<E>(selector) ?? null;
export const $$ = (selector: string) => [...(shadow()?.querySelectorAll<HTMLElement>(selector) ?? [])];

/** Types into an input or textarea as a user would (value, then an `input` event). */
export function type(element: HTMLElement | null, text: string) {
  if (!element) throw new Error('nothing to type into');
  (element as HTMLInputElement).value = text;
  element.dispatchEvent(new Event('input', { bubbles: true }));
  element.dispatchEvent(new Event('change', { bubbles: true }));
}

/** Clicks the first button (in the widget) whose text contains `text`. */
export function press(text: string) {
  const button = $$('button').find((candidate) => candidate.textContent?.includes(text));
  if (!button) throw new Error(`no button "${text}"`);
  button.click();
}
