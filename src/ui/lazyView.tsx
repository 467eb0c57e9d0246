import type { FunctionComponent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useServices } from './context';

/**
 * A view in its own chunk: the first open downloads only Home and Chat; the other tabs arrive when
 * asked for, or at idle once the panel is open (`preload`), so switching tabs rarely waits.
 */
export function lazyView<P extends object>(load: () => Promise<FunctionComponent<P>>) {
  let view: FunctionComponent<P> | undefined;
  let loading: Promise<unknown> | undefined;
  const preload = () => (loading ??= load().then((loaded) => (view = loaded), () => (loading = undefined)));
  function Lazy(props: P) {
    const { t } = useServices().i18n;
    const [, loaded] = useState(0);
    const View = view;
    // Whether this render had the view, not whether it is in now: the idle preload may land between
    // the render and this effect, and then nothing else would draw the view.
    useEffect(() => {
      if (!View) void preload().then(() => loaded(1));
    }, []);
    return View ? <View {...props} /> : <p class="empty" role="status">{t('loading')}</p>;
  }
  return Object.assign(Lazy, { preload });
}
