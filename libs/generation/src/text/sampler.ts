/**
 * Picks the next token of one request: repetition penalty, temperature, top-k, top-p, then a
 * seeded draw. A veto callback enforces hard constraints (banned terms, character limits):
 * a vetoed token is removed and the draw repeats from what is left, which is the same as sampling
 * from the distribution with every violating token masked out, without testing the whole vocabulary.
 */

export { seededRandom } from '../runtime/seeded-random';

export interface SamplingParams {
  temperature: number;
  topK: number;
  topP: number;
  repetitionPenalty: number;
}

/** Logits below the best by more than this are below float precision after softmax at T=1. */
const NEGLIGIBLE = 40;

/**
 * Returns the chosen token id, or -1 when every candidate is vetoed.
 * `blocked` marks tokens that are never allowed (e.g. end-of-text when ignoring EOS).
 */
export function sampleToken(
  logits: Float32Array,
  params: SamplingParams,
  random: () => number,
  generated: readonly number[],
  blocked: (id: number) => boolean,
  veto: (id: number) => boolean,
): number {
  const scores = Float32Array.from(logits);
  if (params.repetitionPenalty !== 1) {
    for (const id of new Set(generated)) {
      const s = scores[id];
      scores[id] = s > 0 ? s / params.repetitionPenalty : s * params.repetitionPenalty;
    }
  }
  const rejected = new Set<number>();
  const allowed = (id: number) => !rejected.has(id) && !blocked(id) && scores[id] > -Infinity;

  if (params.temperature === 0) {
    for (;;) {
      let best = -1;
      for (let id = 0; id < scores.length; id++) if (allowed(id) && (best < 0 || scores[id] > scores[best])) best = id;
      if (best < 0) return -1;
      if (!veto(best)) return best;
      rejected.add(best);
    }
  }

  let max = -Infinity;
  for (let id = 0; id < scores.length; id++) if (!blocked(id) && scores[id] > max) max = scores[id];
  if (max === -Infinity) return -1;
  const threshold = max - NEGLIGIBLE * params.temperature;
  const candidates: number[] = [];
  for (let id = 0; id < scores.length; id++) if (scores[id] >= threshold && !blocked(id)) candidates.push(id);
  candidates.sort((a, b) => scores[b] - scores[a] || a - b);
  let pool = params.topK > 0 ? candidates.slice(0, params.topK) : candidates;
  const weights = pool.map((id) => Math.exp((scores[id] - max) / params.temperature));
  if (params.topP < 1) {
    const total = weights.reduce((a, b) => a + b, 0);
    let cumulative = 0;
    let keep = 0;
    while (keep < pool.length && cumulative < params.topP * total) cumulative += weights[keep++];
    pool = pool.slice(0, Math.max(1, keep));
    weights.length = pool.length;
  }
  for (;;) {
    let total = 0;
    for (let i = 0; i < pool.length; i++) if (!rejected.has(pool[i])) total += weights[i];
    if (total <= 0) break;
    let r = random() * total;
    let chosen = -1;
    for (let i = 0; i < pool.length; i++) {
      if (rejected.has(pool[i])) continue;
      chosen = pool[i];
      r -= weights[i];
      if (r < 0) break;
    }
    if (!veto(chosen)) return chosen;
    rejected.add(chosen);
  }
  // Everything the filters kept is vetoed: fall back to the best remaining token of the vocabulary.
  return sampleToken(logits, { ...params, temperature: 0 }, random, generated, (id) => blocked(id) || rejected.has(id), veto);
}
