import { highlight } from '../core/search';

/** Text with the query's matches in <mark>, as text nodes (never HTML). */
export function Marked({ text, query }: { text: string; query: string }) {
  if (!query.trim()) return <>{text}</>;
  return <>{highlight(text, query).map((segment, i) => (segment.match ? <mark key={i}>{segment.text}</mark> : segment.text))}</>;
}
