import { useEffect, useRef } from 'preact/hooks';
import { ChatView } from './ChatView';
import { useServices } from './context';
import { NotConfigured } from './NotConfigured';
import { isNotConfigured } from '../core/chat';

/** The dialog: header with title and close, then the chat (or why there is none). */
export function Panel() {
  const { chat, failure, i18n, close, restart, view, inline, autoFocus } = useServices();
  const { t } = i18n;
  const dialog = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!autoFocus) return;
    const first = dialog.current?.querySelector<HTMLElement>('textarea, [data-autofocus]');
    (first ?? dialog.current)?.focus();
  }, []);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape' && !inline) {
      event.stopPropagation();
      close();
    }
  };

  return (
    <div
      ref={dialog}
      class="panel"
      role={inline ? 'region' : 'dialog'}
      aria-modal={inline ? undefined : 'false'}
      aria-labelledby="kefu-title"
      tabIndex={-1}
      onKeyDown={onKeyDown}
      lang={i18n.locale.value}
      data-view={typeof view.value === 'string' ? view.value : Object.keys(view.value)[0]}
    >
      <header>
        <h2 id="kefu-title">{t('title')}</h2>
        {!inline && (
          <button type="button" class="icon" aria-label={t('close')} onClick={close}>
            ×
          </button>
        )}
      </header>
      {chat ? (
        <ChatView chat={chat} />
      ) : isNotConfigured(failure) ? (
        <NotConfigured />
      ) : failure ? (
        <div class="empty" role="alert">
          <p>{t('errorStart')}</p>
          <button type="button" class="link" onClick={restart}>{t('retry')}</button>
        </div>
      ) : (
        <p class="empty" role="status">{t('loading')}</p>
      )}
    </div>
  );
}
