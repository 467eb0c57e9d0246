import { useServices, type PanelView } from './context';

/** "← Back" to the list a detail view came from; focus lands on it when the view opens. */
export function Back({ to }: { to: PanelView }) {
  const { go, i18n } = useServices();
  return (
    <button type="button" class="link back" data-autofocus onClick={() => go(to)}>
      {i18n.t('back')}
    </button>
  );
}
