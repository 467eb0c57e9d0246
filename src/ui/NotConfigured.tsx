import { useServices } from './context';

/** Shown when the site key is missing or unknown: the shopper learns help is not set up here. */
export function NotConfigured() {
  const { t } = useServices().i18n;
  return (
    <div class="empty" role="alert" data-autofocus tabIndex={-1}>
      <p>
        <strong>{t('notConfigured')}</strong>
      </p>
      <p>{t('notConfiguredHint')}</p>
    </div>
  );
}
