import { useEffect, useRef } from 'preact/hooks';
import { useServices } from './context';

interface Props {
  draft: string;
  onDraft: (text: string) => void;
  onSend: (text: string) => Promise<void>;
}

/** The message box: Enter sends, Shift+Enter adds a line; the draft is cleared only once stored. */
export function Composer({ draft, onDraft, onSend }: Props) {
  const services = useServices();
  const { t } = services.i18n;
  const input = useRef<HTMLTextAreaElement>(null);

  // The chat may appear after the dialog took focus: move focus on to the input, unless the shopper moved it.
  // Read live: the panel may have closed before this effect ran (a quick Escape).
  useEffect(() => {
    if (!services.autoFocus || !services.open) return;
    const active = (input.current?.getRootNode() as ShadowRoot | undefined)?.activeElement;
    if (!active || active.getAttribute('role') === 'dialog') input.current?.focus();
  }, []);

  const submit = async (event?: Event) => {
    event?.preventDefault();
    // The field itself, not the last render's prop: an input and a submit in one task both count.
    const text = input.current?.value ?? draft;
    if (!text.trim()) return;
    await onSend(text);
    onDraft('');
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) void submit(event);
  };

  return (
    <form class="composer" onSubmit={submit}>
      <label class="sr" for="kefu-input">{t('inputLabel')}</label>
      <textarea
        ref={input}
        id="kefu-input"
        rows={1}
        maxLength={4000}
        placeholder={t('inputPlaceholder')}
        value={draft}
        onInput={(event) => onDraft(event.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <button type="submit" class="send">{t('send')}</button>
    </form>
  );
}
