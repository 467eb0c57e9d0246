import type { ComponentChildren } from 'preact';

// Scheme is matched against the parsed URL, so case, whitespace and control characters can't hide it.
const ALLOWED = /^(https?|mailto|tel):$/;
// A link ends before whitespace, markup quotes, CJK punctuation (U+3000–303F, U+FF00–FFEF), and never
// on trailing punctuation, so "see https://x.com." keeps its full stop. The e-mail local part is capped
// at its RFC length of 64 so a long run of word characters costs linear, not quadratic, time.
const LINK =
  /(\b(?:https?:\/\/|www\.|mailto:|tel:)[^\s<>"'`\u3000-\u303f\uff00-\uffef]*[^\s<>"'`\u3000-\u303f\uff00-\uffef.,!?;:)]|[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+)/i;
/** The normalised href for `raw` if it is an http(s), mailto or tel URL (bare `www.` means https), else undefined. */
export function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(/^www\./i.test(raw) ? `https://${raw}` : raw);
    return ALLOWED.test(url.protocol) ? url.href : undefined;
  } catch {
    // Not an absolute URL (relative, `//host`, entity-encoded scheme…): it stays text, which is the point.
    return undefined;
  }
}

/** A safe link: a new tab, no opener, no referrer. */
export const link = (href: string, label: ComponentChildren) => (
  <a href={href} target="_blank" rel="noopener noreferrer">
    {label}
  </a>
);

// split() with one capturing group puts the matches at the odd indexes.
export const links = (text: string) =>
  text.split(LINK).map((part, i) => {
    const href = i % 2 ? safeHref(/^[\w.+-]+@/.test(part) ? `mailto:${part}` : part) : undefined;
    return href ? link(href, part) : part;
  });

/** Chat text as text nodes, with http(s), www., e-mail, mailto: and tel: links made clickable. */
export function Linkified({ text }: { text: string }) {
  return <>{links(text)}</>;
}
