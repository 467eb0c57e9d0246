import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { helpFacts } from '../core/helpFacts';
import { createIndex, highlighter, search } from '../core/search';
import { ArticleView } from './ArticleView';
import { HIGHLIGHT, useViewStyles } from './viewStyles';
import { useServices } from './context';

/** Results shown per keystroke: enough to choose from, few enough to render within a frame. */
const RESULTS = 12;
/** A search counts as one (a fact for the merchant's figures) once typing pauses this long. */
const SETTLE_MS = 1000;

/** Help: the FAQ searched as you type (words and CJK bigrams, offline from the cache), and its articles. */
export function HelpView({ articleId }: { articleId?: string | undefined }) {
  useViewStyles();
  const { desk, i18n, go, askInChat, page } = useServices();
  const { t } = i18n;
  const locale = i18n.locale.value;
  const [query, setQuery] = useState('');
  useEffect(() => void desk!.loadArticles(locale), [locale]);

  const { value: articles, error, staleAt } = desk!.articles.value;
  // Built once per article list (the search code and its index live in this view's chunk), with
  // the rows' texts as the highlighter split them: a keystroke keeps most rows, and splitting a
  // text cost more than marking it.
  const index = useMemo(
    () => articles && { search: createIndex(articles), byId: new Map(articles.map((a) => [a.id, a])), split: new Map() },
    [articles],
  );
  const hits = useMemo(() => {
    if (!articles) return [];
    if (!index || !query.trim()) return articles.slice(0, RESULTS);
    return search(index.search, query, RESULTS).map((hit) => index.byId.get(hit.id)!);
  }, [articles, index, query]);
  // Matches are painted with the CSS Custom Highlight API over plain-text rows, as static ranges:
  // live ones are kept up to date by the DOM on every change of a row's text.
  const list = useRef<HTMLUListElement>(null);
  useLayoutEffect(() => {
    const mark = query.trim() && highlighter(query, index?.split);
    const ranges: StaticRange[] = [];
    list.current?.querySelectorAll('strong, .clip').forEach(({ firstChild: node }) => {
      for (const [startOffset, endOffset] of mark && node ? mark((node as Text).data) : [])
        ranges.push(new StaticRange({ startContainer: node!, startOffset, endContainer: node!, endOffset }));
    });
    CSS.highlights?.set(HIGHLIGHT, new Highlight(...ranges));
  }, [hits, query]);

  // The search being typed, reported once it settles: on a pause, on opening a result, on leaving.
  const facts = helpFacts(desk!, page);
  const typed = useRef<[string, number] | undefined>(undefined);
  const settle = () => {
    if (typed.current) facts.add({ type: 'search', query: typed.current[0], results: typed.current[1] });
    typed.current = undefined;
  };
  // Layout effects run in the commit: a shopper who types and leaves at once still searched.
  useLayoutEffect(() => {
    const text = query.trim();
    typed.current = text && index ? [text.slice(0, 200), hits.length] : undefined;
    const timer = setTimeout(settle, SETTLE_MS);
    return () => clearTimeout(timer);
  }, [hits]);
  useLayoutEffect(() => () => (settle(), facts.flush(), CSS.highlights?.delete(HIGHLIGHT)), []);

  if (articleId) {
    const article = articles?.find((a) => a.id === articleId);
    if (article) return <ArticleView article={article} />;
  }
  const askInstead = () => (settle(), askInChat(query));

  return (
    <div class="scroll">
      <label class="sr" for="kefu-search">{t('searchHelp')}</label>
      <input id="kefu-search" type="search" class="search" placeholder={t('searchPlaceholder')} value={query}
        autoComplete="off" aria-controls="kefu-results" onInput={(event) => setQuery(event.currentTarget.value)} />
      {staleAt && <p class="notice">{i18n.fill('asOf', { time: i18n.when(new Date(staleAt).toISOString()) })}</p>}
      {!articles ? (
        <p class="empty" role={error ? 'alert' : 'status'}>{error ? t('errorLoad') : t('loading')}</p>
      ) : (
        <>
          <p class="sr" role="status">{query.trim() ? i18n.fill('results', { n: hits.length }) : ''}</p>
          <ul id="kefu-results" class="rows" ref={list}>
            {/* Rows by position, not by article: when the results change, a keystroke changes the
                rows' text and creates or removes no row (unless the count changes). */}
            {hits.map((article) => (
              <li>
                <button type="button" class="row" onClick={() => (settle(), go({ article: article.id }))}>
                  <strong>{article.title}</strong>
                  <span class="clip meta">{preview(article.body)}</span>
                </button>
              </li>
            ))}
          </ul>
          {query.trim() && !hits.length && <p class="empty">{t('noResults')}</p>}
          <button type="button" class="link" onClick={askInstead}>{t('stillNeedHelp')}</button>
        </>
      )}
    </div>
  );
}

/** The start of an article's text without its markup (`**`, `[label](url)` → label), for the one-line preview. */
const preview = (body: string) => body.slice(0, 400).replace(/\*\*|\[([^\]]*)\]\([^)]*\)/g, '$1').slice(0, 140);
