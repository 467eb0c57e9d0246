import { useState } from 'preact/hooks';
import type { RatingCreate } from '../api/schemas';
import { useServices } from './context';
import { useViewStyles } from './viewStyles';

/** 1–5 stars and an optional comment for a conversation, a ticket or an article; once per subject. */
export function Rating({ subject, prompt }: { subject: RatingCreate['subject']; prompt: string }) {
  useViewStyles();
  const { desk, i18n } = useServices();
  const { t } = i18n;
  const [score, setScore] = useState(0);
  const [comment, setComment] = useState('');
  if (!desk) return null;
  if (desk.rated.value[`${subject.type}:${subject.id}`]) return <p class="notice" role="status">{t('ratedThanks')}</p>;
  const submit = (event: Event) => {
    event.preventDefault();
    if (score) void desk.rate({ subject, score, comment: comment.trim() || undefined });
  };
  return (
    <form class="card rating" onSubmit={submit}>
      <fieldset>
        <legend>{prompt}</legend>
        <div class="stars">
          {[1, 2, 3, 4, 5].map((n) => (
            <label key={n} class={n <= score ? 'on' : undefined}>
              <input type="radio" name={`kefu-rate-${subject.id}`} value={n} checked={n === score} onChange={() => setScore(n)} />
              <span aria-hidden="true">★</span>
              <span class="sr">{i18n.fill('stars', { n })}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {score > 0 && (
        <>
          <label class="sr" for={`kefu-rate-c-${subject.id}`}>{t('ratingComment')}</label>
          <textarea id={`kefu-rate-c-${subject.id}`} rows={2} maxLength={2000} placeholder={t('ratingComment')}
            value={comment} onInput={(event) => setComment(event.currentTarget.value)} />
          <button type="submit" class="primary">{t('rate')}</button>
        </>
      )}
    </form>
  );
}
