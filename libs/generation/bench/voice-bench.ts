/**
 * npm run bench:voice — how well voice similarity tells a brand's own voice from another voice on
 * the same products, against a word-overlap baseline. Accuracy is pairwise: the share of (held-out
 * on-voice, off-voice) pairs in which the on-voice copy scores higher (the ROC AUC), printed per
 * method, with the threshold accuracy of ON_VOICE_SIMILARITY for the report's check.
 */
import { RIDGELINE_OFF_VOICE, RIDGELINE_ON_VOICE, RIDGELINE_SAMPLES } from '../src/voice/voice-fixture';
import { charNgramSimilarity, stylometricSimilarity, voiceSimilarity, wordOverlap } from '../src/voice/voice-similarity';
import { ON_VOICE_SIMILARITY } from '../src/voice/voice-report';

type Scorer = (text: string, samples: readonly string[]) => number;

function pairwiseAccuracy(score: Scorer): number {
  const on = RIDGELINE_ON_VOICE.map((t) => score(t, RIDGELINE_SAMPLES));
  const off = RIDGELINE_OFF_VOICE.map((t) => score(t, RIDGELINE_SAMPLES));
  let right = 0;
  for (const a of on) for (const b of off) right += a > b ? 1 : a === b ? 0.5 : 0;
  return right / (on.length * off.length);
}

const methods: [string, Scorer][] = [
  ['voice similarity (char n-gram TF-IDF + stylometry)', voiceSimilarity],
  ['  char n-gram TF-IDF alone', charNgramSimilarity],
  ['  stylometry alone', stylometricSimilarity],
  ['baseline: word overlap (Jaccard)', wordOverlap],
];
console.log(
  `voice fixture: ${RIDGELINE_SAMPLES.length} brand samples, ${RIDGELINE_ON_VOICE.length} held-out on-voice, ${RIDGELINE_OFF_VOICE.length} off-voice`,
);
for (const [name, score] of methods) console.log(`${name.padEnd(52)} pairwise accuracy ${(pairwiseAccuracy(score) * 100).toFixed(1)}%`);
const labelled = [...RIDGELINE_ON_VOICE.map((t) => [t, true] as const), ...RIDGELINE_OFF_VOICE.map((t) => [t, false] as const)];
const correct = labelled.filter(([t, on]) => voiceSimilarity(t, RIDGELINE_SAMPLES) >= ON_VOICE_SIMILARITY === on).length;
console.log(`threshold ${ON_VOICE_SIMILARITY} (the report's "reads like the brand" check): ${correct}/${labelled.length} classified right`);
