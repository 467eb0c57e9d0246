import { useState } from 'preact/hooks';

const drafts = new Map<string, unknown>();

export interface Draft<T> {
  /** The current values, fresh even inside a handler that runs before the next render. */
  readonly value: T;
  update(change: Partial<T>): void;
  /** Forgets the draft (after submitting). */
  clear(): void;
}

/**
 * A form's state that outlives the view: switching tabs and coming back finds what was typed.
 * Memory only (a draft is not a write; the outbox keeps what was submitted). Updates apply at
 * once, so two inputs in one task (autofill, a test) and a submit right after them all count.
 */
export function useDraft<T extends object>(key: string, initial: () => T): Draft<T> {
  const [, render] = useState(0);
  const [draft] = useState<Draft<T>>(() => {
    let value = (drafts.get(key) as T | undefined) ?? initial();
    return {
      get value() {
        return value;
      },
      update(change) {
        drafts.set(key, (value = { ...value, ...change }));
        render((n) => n + 1);
      },
      clear: () => void drafts.delete(key),
    };
  });
  return draft;
}
