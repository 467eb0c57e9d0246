/** One step of a timeline: a tracking event or a ticket transition. */
export interface Step {
  title: string;
  at: string;
  /** Who acted, or where the parcel was. */
  by?: string | null | undefined;
  note?: string | null | undefined;
}

/** A vertical timeline, newest step first, with dates a person reads ("24 Nov 2026, 14:00"). */
export function Timeline({ steps, when, label }: { steps: Step[]; when: (iso: string) => string; label: string }) {
  return (
    <ol class="timeline" aria-label={label}>
      {[...steps].reverse().map((step, i) => (
        <li key={i} class={i ? undefined : 'now'}>
          <strong>{step.title}</strong>
          <span class="meta">
            <time dateTime={step.at}>{when(step.at)}</time>
            {step.by ? ` · ${step.by}` : ''}
          </span>
          {step.note && <p>{step.note}</p>}
        </li>
      ))}
    </ol>
  );
}
