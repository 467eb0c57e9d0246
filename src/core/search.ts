// FAQ search shared by the panel (search-as-you-type) and the reference server's bot.
// BM25 with field weights over stemmed Latin words and overlapping CJK bigrams (no dictionary
// needed for Chinese, Japanese or Korean). Everything query-independent — idf, length
// normalisation, saturation — is folded into one weight per (term, document) when the index is
// built, so a keystroke costs a few array walks and one sort.

export interface SearchDoc {
  id: string;
  title: string;
  body: string;
  tags?: string[];
}

export interface SearchHit {
  id: string;
  score: number;
}

export interface Segment {
  text: string;
  match: boolean;
}

export interface SearchIndex {
  /** Document ids in input order; postings refer to documents by position. */
  ids: string[];
  /** term → [document positions, precomputed BM25 weights]. */
  postings: Map<string, [number[], number[]]>;
  /** Distinct indexed [word, term] pairs sorted by word, so the word being typed can be completed. */
  forms: [string, string][];
}

const K1 = 1.2;
const B = 0.75;
// title, tags, body
const FIELD_WEIGHTS = [3, 2, 1];
// A completion of the word being typed ranks below the word typed exactly.
const PREFIX_WEIGHT = 0.7;

const CJK = '\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Hangul}';
// Group 1: a CJK run. Otherwise a word of letters, digits and marks, with inner apostrophes
// ("don't"), stopping where a CJK run starts so "退款refund政策" splits in three.
const RUN = new RegExp(`([${CJK}]+)|(?:(?![${CJK}])[\\p{L}\\p{N}\\p{M}]|['’](?=\\p{L}))+`, 'gu');
// Link targets in FAQ markup ("[text](https://…)") are not content.
const LINK_TARGET = /\]\([^)]*\)/g;
const STOPWORDS = new Set(
  'a about also an and are as at be by can could do does for from get has have how i if in is it its just me my of on or our please should so that the there this to want was we what when which who why will with would you your'.split(
    ' ',
  ),
);

const idf = (df: number, n: number): number => Math.log(1 + (n - df + 0.5) / (df + 0.5));

// Apostrophes go so "don't" and "dont" meet. Plain ASCII (most words typed) needs no NFKC pass.
const norm = (s: string): string =>
  (/^[\x20-\x7e]*$/.test(s) ? s : s.normalize('NFKC')).toLowerCase().replace(/['’]/g, '');

// A light English stemmer (plural, -ing, -ed, final e) so "refunds", "refunded" and "refund"
// meet, and "damaged" meets "damage". It only has to be consistent, not linguistically right.
function stem(w: string): string {
  const n = w.length;
  if (n < 4) return w;
  if (n > 4 && w.endsWith('ies')) w = w.slice(0, -3) + 'y';
  else if (w[n - 1] === 's' && !'siu'.includes(w[n - 2]!)) w = w.slice(0, -1);
  const base = w.endsWith('ing') ? w.slice(0, -3) : w.endsWith('ed') ? w.slice(0, -2) : w;
  if (base.length > 2 && base !== w) {
    const c = base[base.length - 1]!;
    w = base.length > 3 && c === base[base.length - 2] && !'aeiouylsz'.includes(c) ? base.slice(0, -1) : base;
  }
  return w.length > 3 && w.endsWith('e') ? w.slice(0, -1) : w;
}

// Calls fn for each unit of text: its normalised surface, its index term (undefined for a
// stopword), and whether it may be a word still being typed (a Latin word or a lone CJK character).
function scan(text: string, fn: (s: string, t: string | undefined, p: boolean) => void): void {
  for (const [w, cjk] of norm(text).matchAll(RUN)) {
    if (!cjk) fn(w, STOPWORDS.has(w) ? undefined : stem(w), true);
    else {
      const cs = Array.from(w);
      if (cs.length === 1) fn(w, w, true);
      for (let i = 1; i < cs.length; i++) {
        const s = cs[i - 1]! + cs[i];
        fn(s, s, false);
      }
    }
  }
}

/** Splits text into index terms: lowercased, lightly stemmed Latin words minus stopwords, and CJK bigrams. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  scan(text, (_, t) => t && out.push(t));
  return out;
}

/** Builds a BM25 index in which title and tags weigh more than the body. */
export function createIndex(docs: SearchDoc[]): SearchIndex {
  const postings: SearchIndex['postings'] = new Map();
  const forms = new Map<string, string>();
  // Field weights scale both term counts and document length (BM25F with one length
  // normalisation per document). Raw weighted counts go straight into the postings; lengths
  // are known once every document is read, so normalisation happens in the second loop.
  const lengths = docs.map((doc, d) => {
    let length = 0;
    [doc.title, (doc.tags ?? []).join(' '), doc.body.replace(LINK_TARGET, ' ')].forEach((text, f) => {
      const w = FIELD_WEIGHTS[f]!;
      scan(text, (s, t) => {
        if (!t) return;
        length += w;
        let p = postings.get(t);
        if (!p) postings.set(t, (p = [[], []]));
        const last = p[0].length - 1;
        if (p[0][last] === d) p[1][last]! += w;
        else p[0].push(d), p[1].push(w);
        // Unstemmed words and bigrams are their own terms, added below from the postings.
        if (s !== t) forms.set(s, t);
      });
    });
    return length;
  });
  const avg = lengths.reduce((sum, length) => sum + length, 0) / docs.length || 1;
  for (const [t, [ds, ws]] of postings) {
    if (!forms.has(t)) forms.set(t, t);
    const k = idf(ds.length, docs.length) * (K1 + 1);
    ws.forEach((v, i) => {
      v /= 1 - B + (B * lengths[ds[i]!]!) / avg;
      ws[i] = (k * v) / (K1 + v);
    });
  }
  return { ids: docs.map((d) => d.id), postings, forms: [...forms.keys()].sort().map((s) => [s, forms.get(s)!]) };
}

// The query's terms, and the word being typed (the last one) if it can still grow.
function parse(query: string): { terms: Set<string>; prefix: string | undefined } {
  const terms = new Set<string>();
  let prefix: string | undefined;
  scan(query, (s, t, p) => {
    if (t) terms.add(t);
    prefix = p ? s : undefined;
  });
  return { terms, prefix };
}

/** Ranks documents for a query, completing its last word by prefix; ties keep index order. */
export function search(index: SearchIndex, query: string, limit = 10): SearchHit[] {
  const { ids, postings, forms } = index;
  const scores = new Float64Array(ids.length);
  const { terms, prefix } = parse(query);
  // The word being typed and its completions act as one term: a document scores the best of
  // them, weighted by the idf of the whole group, so a rare completion ("refundable") does not
  // outrank the common word that was meant ("refund").
  const alternatives = new Map<string, number>();
  if (prefix !== undefined) {
    let lo = 0;
    let hi = forms.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (forms[mid]![0] < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (; lo < forms.length && forms[lo]![0].startsWith(prefix); lo++) {
      const t = forms[lo]![1];
      if (!terms.has(t)) alternatives.set(t, PREFIX_WEIGHT);
    }
    const typed = STOPWORDS.has(prefix) ? undefined : stem(prefix);
    if (typed && alternatives.size && postings.has(typed)) {
      terms.delete(typed);
      alternatives.set(typed, 1);
    }
  }
  // Plain loops: this runs on every keystroke over every posting of the query's terms.
  for (const t of terms) {
    const p = postings.get(t);
    if (!p) continue;
    const [ds, ws] = p;
    for (let i = 0; i < ds.length; i++) scores[ds[i]!]! += ws[i]!;
  }
  if (alternatives.size) {
    const best = new Float64Array(ids.length);
    let df = 0;
    for (const [t, k] of alternatives) {
      const [ds, ws] = postings.get(t)!;
      const f = k / idf(ds.length, ids.length);
      for (let i = 0; i < ds.length; i++) {
        const d = ds[i]!;
        const w = f * ws[i]!;
        if (!best[d]) df++;
        if (w > best[d]!) best[d] = w;
      }
    }
    const group = idf(df, ids.length);
    for (let d = 0; d < best.length; d++) scores[d]! += group * best[d]!;
  }
  if (limit < 1) return [];
  // The best `limit` by insertion into a short sorted list (no sort of every match); a document
  // only passes one of equal score found before it, so ties keep index order.
  const top: number[] = [];
  for (let d = 0; d < scores.length; d++) {
    const score = scores[d]!;
    if (score <= 0 || (top.length === limit && score <= scores[top[limit - 1]!]!)) continue;
    if (top.length === limit) top.pop();
    let at = top.length;
    while (at > 0 && scores[top[at - 1]!]! < score) at--;
    top.splice(at, 0, d);
  }
  return top.map((d) => ({ id: ids[d]!, score: scores[d]! }));
}

/** Splits text into matching and non-matching segments for the query (what the highlights cover, as text). */
export function highlight(text: string, query: string): Segment[] {
  const out: Segment[] = [];
  let at = 0;
  const push = (end: number, match: boolean) => end > at && out.push({ text: text.slice(at, (at = end)), match });
  for (const [start, end] of highlighter(query)(text)) push(start, false), push(end, true);
  push(text.length, false);
  return out;
}

/**
 * The query's matches in a text as [start, end) offsets, for one query and many texts: parsed once
 * per keystroke. Texts are split into words and CJK characters once per `split` map, so one map kept
 * across keystrokes (as long as the texts it holds) spares the rows a keystroke keeps that work.
 */
export function highlighter(query: string, split: Map<string, Unit[]> = new Map()): (text: string) => [number, number][] {
  const { terms, prefix } = parse(query);
  return (text) => {
    const out: [number, number][] = [];
    // Whether the bigram of the character before matched, which covers this character too.
    let pair = false;
    for (const [start, end, key, word, bigram] of split.get(text) ?? units(text, split)) {
      const next = !!bigram && terms.has(bigram);
      // A word by its term or as a completion of the word being typed; a CJK character in a
      // matching bigram or alone (a lone character typed is a term).
      if (word ? terms.has(word) || (!!prefix && key.startsWith(prefix)) : pair || next || terms.has(key)) {
        const last = out.at(-1);
        if (last?.[1] === start) last[1] = end;
        else out.push([start, end]);
      }
      pair = next;
    }
    return out;
  };
}

/**
 * A Latin word of a text (with its index term; stopwords are left out) or a CJK character (with its
 * bigram with the next character of its run): its [start, end) offsets and normalised form.
 */
export type Unit = [start: number, end: number, key: string, word?: string, bigram?: string];

function units(text: string, split: Map<string, Unit[]>): Unit[] {
  const out: Unit[] = [];
  split.set(text, out);
  for (const m of text.matchAll(RUN)) {
    let at = m.index;
    if (m[1]) {
      const cs = Array.from(m[1]);
      // One normalisation for the run, per character only where NFKC changes the length.
      const whole = Array.from(norm(m[1]));
      const keys = whole.length === cs.length ? whole : cs.map(norm);
      cs.forEach((c, i) => out.push([at, (at += c.length), keys[i]!, , keys[i + 1] && keys[i]! + keys[i + 1]]));
    } else {
      const s = norm(m[0]);
      if (!STOPWORDS.has(s)) out.push([at, at + m[0].length, s, stem(s)]);
    }
  }
  return out;
}
