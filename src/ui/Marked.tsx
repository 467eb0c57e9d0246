import type { Segment } from '../core/search';

/** Text with the query's matches in <mark>, as text nodes (never HTML); `mark` is the query's highlighter. */
export function Marked({ text, mark }: { text: string; mark: ((text: string) => Segment[]) | null }) {
  if (!mark) return <>{text}</>;
  return <>{mark(text).map((segment, i) => (segment.match ? <mark key={i}>{segment.text}</mark> : segment.text))}</>;
}
