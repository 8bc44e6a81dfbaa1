/**
 * Fidelity to the brand's own copy, measured two ways (docs/brand-voice.md, "Fidelity"):
 *
 * - voice similarity, 0–1: half the cosine between the variant's character 3–5-gram TF-IDF vector
 *   and the centroid of the samples' vectors (IDF over the samples and the variant, smoothed), half
 *   a stylometric closeness: ten style features (word length, sentence length, comma, question,
 *   exclamation, contraction, capital, digit and emoji rates, vocabulary richness), each compared
 *   with the samples' mean in units of their spread, closeness = exp(-mean |z| / 2);
 * - memorisation: the longest word sequence the variant shares with any one sample, and the share
 *   of the variant's words inside sequences of four or more words found in a sample. Copying an
 *   example verbatim (or nearly) is flagged.
 */

const WORDS = /[\p{L}\p{N}][\p{L}\p{N}'’]*/gu;

function charGrams(text: string): Map<string, number> {
  const grams = new Map<string, number>();
  const norm = ` ${text.toLowerCase().replace(/\s+/g, ' ').trim()} `;
  for (let n = 3; n <= 5; n++)
    for (let i = 0; i + n <= norm.length; i++) {
      const g = norm.slice(i, i + n);
      grams.set(g, (grams.get(g) ?? 0) + 1);
    }
  return grams;
}

function tfidf(counts: Map<string, number>, idf: (g: string) => number): Map<string, number> {
  const out = new Map<string, number>();
  for (const [g, c] of counts) out.set(g, (1 + Math.log(c)) * idf(g));
  return out;
}

function cosine(a: Map<string, number>, b: Map<string, number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [g, v] of a) {
    na += v * v;
    const w = b.get(g);
    if (w !== undefined) dot += v * w;
  }
  for (const v of b.values()) nb += v * v;
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/** Character n-gram TF-IDF cosine between the text and the samples' centroid, 0–1. */
export function charNgramSimilarity(text: string, samples: readonly string[]): number {
  if (samples.length === 0 || !text.trim()) return 0;
  const docs = [...samples, text].map(charGrams);
  const df = new Map<string, number>();
  for (const d of docs) for (const g of d.keys()) df.set(g, (df.get(g) ?? 0) + 1);
  const idf = (g: string) => Math.log((1 + docs.length) / (1 + (df.get(g) ?? 0))) + 1;
  const vectors = docs.map((d) => normalise(tfidf(d, idf)));
  const centroid = new Map<string, number>();
  for (const v of vectors.slice(0, -1)) for (const [g, x] of v) centroid.set(g, (centroid.get(g) ?? 0) + x / samples.length);
  return cosine(vectors.at(-1)!, centroid);
}

function normalise(v: Map<string, number>): Map<string, number> {
  let norm = 0;
  for (const x of v.values()) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return new Map([...v].map(([g, x]) => [g, x / norm]));
}

/** Ten style features of a text. */
export function styleFeatures(text: string): number[] {
  const words = text.match(WORDS) ?? [];
  const n = Math.max(1, words.length);
  const sentences = Math.max(1, (text.match(/[.!?]+(\s|$)/g) ?? []).length);
  const count = (re: RegExp) => (text.match(re) ?? []).length;
  return [
    words.reduce((s, w) => s + w.length, 0) / n,
    words.length / sentences,
    count(/,/g) / n,
    count(/\?/g) / n,
    count(/!/g) / n,
    words.filter((w) => /['’]/.test(w)).length / n,
    words.filter((w) => /^\p{Lu}/u.test(w)).length / n,
    count(/\p{N}/gu) / Math.max(1, text.length),
    count(/\p{Extended_Pictographic}/gu) / n,
    new Set(words.map((w) => w.toLowerCase())).size / n,
  ];
}

/** How close the text's style is to the samples', 0–1. */
export function stylometricSimilarity(text: string, samples: readonly string[]): number {
  if (samples.length === 0 || !text.trim()) return 0;
  const rows = samples.map(styleFeatures);
  const x = styleFeatures(text);
  let total = 0;
  x.forEach((value, k) => {
    const column = rows.map((r) => r[k]);
    const mean = column.reduce((a, b) => a + b, 0) / column.length;
    const sd = Math.sqrt(column.reduce((a, b) => a + (b - mean) ** 2, 0) / column.length);
    // A floor on the spread: features that never vary in the samples still allow small moves.
    const spread = Math.max(sd, Math.abs(mean) * 0.25, 0.02);
    total += Math.min(4, Math.abs(value - mean) / spread);
  });
  return Math.exp(-total / x.length / 2);
}

/** Voice similarity, 0–1: char n-gram TF-IDF cosine and stylometric closeness, equally weighted. */
export function voiceSimilarity(text: string, samples: readonly string[]): number {
  return 0.5 * charNgramSimilarity(text, samples) + 0.5 * stylometricSimilarity(text, samples);
}

export interface Memorisation {
  /** Words in the longest run the text shares with one sample. */
  longestSharedWords: number;
  /** That run, as it stands in the text. */
  longestShared: string;
  /** Share of the text's words inside runs of 4+ words also in a sample, 0–1. */
  overlap: number;
  /** Reads as copied from a sample. */
  copied: boolean;
}

const MIN_RUN = 4;

export function memorisation(text: string, samples: readonly string[]): Memorisation {
  const words = text.match(WORDS) ?? [];
  const lower = words.map((w) => w.toLowerCase());
  let best = 0;
  let bestAt = 0;
  const covered = new Uint8Array(words.length);
  for (const sample of samples) {
    const s = (sample.match(WORDS) ?? []).map((w) => w.toLowerCase());
    // Longest common substring over words, by dynamic programming.
    let prev = new Uint16Array(s.length + 1);
    for (let i = 1; i <= lower.length; i++) {
      const row = new Uint16Array(s.length + 1);
      for (let j = 1; j <= s.length; j++) {
        if (lower[i - 1] !== s[j - 1]) continue;
        const run = prev[j - 1] + 1;
        row[j] = run;
        if (run > best) {
          best = run;
          bestAt = i - run;
        }
        if (run >= MIN_RUN) covered.fill(1, i - run, i);
      }
      prev = row;
    }
  }
  const overlap = words.length ? covered.reduce((a, b) => a + b, 0) / words.length : 0;
  const copied = best >= 6 || (words.length >= 3 && best >= Math.ceil(words.length * 0.8));
  return { longestSharedWords: best, longestShared: words.slice(bestAt, bestAt + best).join(' '), overlap, copied };
}

/** Word-overlap baseline for the benchmark: Jaccard of word sets against all samples together. */
export function wordOverlap(text: string, samples: readonly string[]): number {
  const a = new Set((text.match(WORDS) ?? []).map((w) => w.toLowerCase()));
  const b = new Set(samples.flatMap((s) => (s.match(WORDS) ?? []).map((w) => w.toLowerCase())));
  if (a.size === 0) return 0;
  let shared = 0;
  for (const w of a) if (b.has(w)) shared++;
  return shared / (a.size + b.size - shared);
}
