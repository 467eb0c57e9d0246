import { useLayoutEffect } from 'preact/hooks';
import type { Article } from '../api/schemas';
import { helpFacts } from '../core/helpFacts';
import { Back } from './Back';
import { useServices } from './context';
import { RichText } from './RichText';

/** One FAQ article (safe subset, never HTML), "was this helpful?", and a way on to a person. */
export function ArticleView({ article }: { article: Article }) {
  const { desk, i18n, askInChat, page } = useServices();
  // In the commit, not after paint: a shopper who opens and leaves at once still viewed it.
  useLayoutEffect(() => helpFacts(desk!, page).add({ type: 'view', articleId: article.id }), [article.id]);
  const { t } = i18n;
  const subject = { type: 'article' as const, id: article.id };
  const voted = desk!.rated.value[`article:${article.id}`];
  const vote = (score: number) => void desk!.rate({ subject, score });
  const chat = () => askInChat(i18n.fill('aboutArticle', { title: article.title }));
  return (
    <div class="scroll">
      <Back to="help" />
      <article class="article">
        <h3>{article.title}</h3>
        <RichText source={article.body} />
      </article>
      {voted ? (
        <p class="notice" role="status">{t('ratedThanks')}</p>
      ) : (
        <div class="helpful" role="group" aria-label={t('helpful')}>
          <span>{t('helpful')}</span>
          <button type="button" onClick={() => vote(5)}>{t('yes')}</button>
          <button type="button" onClick={() => vote(1)}>{t('no')}</button>
        </div>
      )}
      <button type="button" class="link" onClick={chat}>{t('stillNeedHelp')}</button>
    </div>
  );
}
