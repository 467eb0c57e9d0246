import type { ComponentChildren } from 'preact';
import { link, links, safeHref } from './Linkified';

export { Linkified, safeHref } from './Linkified';

// `**bold**` or `[label](url)`; the url may hold one level of parentheses (Wikipedia-style paths). A label
// holds no bracket, so a line of `[` fails fast at each one instead of rescanning to the end.
const INLINE = /\*\*(.+?)\*\*|\[([^[\]]*)\]\(\s*((?:[^()\s]|\([^()\s]*\))*)\s*\)/g;

function inline(text: string): ComponentChildren[] {
  const out: ComponentChildren[] = [];
  let at = 0;
  for (const m of text.matchAll(INLINE)) {
    out.push(links(text.slice(at, m.index)));
    const href = m[3] === undefined ? undefined : safeHref(m[3]);
    // A label is never linkified itself: an <a> inside an <a> is invalid.
    out.push(m[1] === undefined ? (href ? link(href, m[2]) : m[2]) : <strong>{inline(m[1])}</strong>);
    at = m.index + m[0].length;
  }
  out.push(links(text.slice(at)));
  return out;
}

/** An FAQ body in a tiny safe subset (paragraphs, `- ` lists, `**bold**`, `[label](url)`) as Preact nodes, never HTML. */
export function RichText({ source }: { source: string }) {
  const blocks: { list: boolean; lines: string[] }[] = [];
  let open: (typeof blocks)[number] | undefined;
  for (const line of source.split(/\r?\n/)) {
    const list = line.startsWith('- ');
    if (!line.trim()) open = undefined;
    else if (open?.list === list) open.lines.push(list ? line.slice(2) : line);
    else blocks.push((open = { list, lines: [list ? line.slice(2) : line] }));
  }
  return (
    <>
      {blocks.map(({ list, lines }) =>
        list ? (
          <ul>{lines.map((line) => <li>{inline(line)}</li>)}</ul>
        ) : (
          <p>{lines.map((line, i) => [i > 0 && <br />, inline(line)])}</p>
        ),
      )}
    </>
  );
}
