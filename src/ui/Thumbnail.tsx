import { useEffect, useRef, useState } from 'preact/hooks';
import { useServices } from './context';

const MAX_WIDTH = 240;
const MAX_HEIGHT = 180;

/**
 * One image of a message, drawn on a canvas once it is scrolled into view. A canvas, not an <img>:
 * the host page's CSP may allow no `blob:` or cross-origin image, and the bytes need the bearer
 * token anyway, so they come through the adapter (this page's own upload from memory) and are
 * decoded with createImageBitmap; drawing on a canvas is not subject to CSP.
 */
export function Thumbnail({ id, pending }: { id: string; pending: boolean }) {
  const { desk, i18n } = useServices();
  const canvas = useRef<HTMLCanvasElement>(null);
  const [label, setLabel] = useState<string>();

  useEffect(() => {
    const node = canvas.current!;
    // Still being sent from another tab: named by a client id the server does not know yet.
    if (!desk || (pending && !desk.holds(id))) return;
    let live = true;
    const seen = new IntersectionObserver(async ([entry]) => {
      if (!entry!.isIntersecting) return;
      seen.disconnect();
      try {
        const file = await desk.image(id);
        const bitmap = await createImageBitmap(file);
        if (!live) return bitmap.close();
        const scale = Math.min(1, MAX_WIDTH / bitmap.width, MAX_HEIGHT / bitmap.height);
        // Drawn at the screen's pixel density; the stylesheet's max sizes bring it back to 240 × 180
        // CSS pixels at most, keeping its aspect (no style attribute, which a strict CSP may refuse).
        const ratio = devicePixelRatio || 1;
        node.width = Math.round(bitmap.width * scale * ratio);
        node.height = Math.round(bitmap.height * scale * ratio);
        const context = node.getContext('2d')!;
        context.imageSmoothingQuality = 'high';
        context.drawImage(bitmap, 0, 0, node.width, node.height);
        bitmap.close();
        setLabel((file as File).name || i18n.t('image'));
      } catch (error) {
        console.warn('[kefu] image:', error);
        if (live) setLabel(i18n.t('imageFailed'));
      }
      // The thread's own scroller as the root: seen from the viewport, Chromium now and then missed a
      // scroll inside it (a test caught the image never loading); a margin starts the download early.
    }, { root: node.closest('.log'), rootMargin: '100px' });
    seen.observe(node);
    return () => {
      live = false;
      seen.disconnect();
    };
  }, [id, pending, desk]);

  return <canvas ref={canvas} class="thumb" role="img" aria-label={label ?? i18n.t('image')} width={MAX_WIDTH} height={160} />;
}
