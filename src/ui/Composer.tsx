import { useServices } from './context';

interface Props {
  draft: string;
  onDraft: (text: string) => void;
  onSend: (text: string) => Promise<void>;
}

/** The message box: Enter sends, Shift+Enter adds a line; the draft is cleared only once stored. */
export function Composer({ draft, onDraft, onSend }: Props) {
  const { t } = useServices().i18n;

  const submit = async (event?: Event) => {
    event?.preventDefault();
    if (!draft.trim()) return;
    await onSend(draft);
    onDraft('');
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) void submit(event);
  };

  return (
    <form onSubmit={submit}>
      <label class="sr" for="kefu-input">{t('inputLabel')}</label>
      <textarea
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
