import { useEffect, useRef, useState } from 'preact/hooks';
import { Attachments } from './Attachments';
import { useServices } from './context';

interface Props {
  draft: string;
  onDraft: (text: string) => void;
  /** `images`: client ids of the chosen images the server has not refused. */
  onSend: (text: string, images: string[]) => Promise<void>;
  /** The outbox lane the images go in (the conversation's), so each is sent ahead of its message. */
  lane?: () => string;
}

/**
 * The message box: Enter sends, Shift+Enter adds a line; the draft is cleared only once stored.
 * With a `lane`, images chosen with the attach button go into the outbox at once, as a ticket's
 * evidence does (`Attachments`), and the message names them.
 */
export function Composer({ draft, onDraft, onSend, lane }: Props) {
  const services = useServices();
  const { desk } = services;
  const { t } = services.i18n;
  const input = useRef<HTMLTextAreaElement>(null);
  const images = useRef<string[]>([]);
  // A new set of chips after each send; the ones sent are the message's (claimed), not cancelled.
  const [batch, setBatch] = useState(0);

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
    const ids = images.current;
    images.current = [];
    desk?.claim(ids);
    await onSend(text, ids);
    if (ids.length) setBatch(batch + 1);
    onDraft('');
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) void submit(event);
  };

  return (
    <form class="composer" onSubmit={submit}>
      {lane && desk && (
        <Attachments key={batch} lane={lane} images class="attach" onChange={(ids) => (images.current = ids)} label={<>
          <span class="sr">{t('attachImage')}</span>
          {/* A picture icon drawn in CSS: the panel holds no SVG (the XSS tests count every one as suspect). */}
          <i aria-hidden="true" />
        </>} />
      )}
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
