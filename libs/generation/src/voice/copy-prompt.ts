/**
 * Turns a brand's voice, a channel, a brief and few-shot examples into chat messages. The soft
 * parts of the voice (tone, preferred words) go into the prompt; the hard parts (banned terms,
 * the character limit) are also enforced during decoding, so the prompt is advice, not the guard.
 */
import type { BrandVoice } from './brand-voice';
import type { ChannelSpec } from './channel-specs';
import type { ChatMessage } from '../text/text-tokenizer';

export interface CopyBrief {
  brand: BrandVoice;
  channel: ChannelSpec;
  /** What this piece of copy is about: product, offer, audience, call to action. */
  brief: string;
  /** BCP 47 language of the copy, e.g. "en", "de-DE". */
  language?: string;
  /** On-voice examples; defaults to the brand's exampleCopy that fits the channel's limit. */
  examples?: string[];
  /** Soft voice lines told in fewer words, to fit a small context (see prompt-budget.ts). */
  shortened?: SoftLine[];
}

/**
 * The soft lines of the voice, in the order they are shortened when the prompt does not fit.
 * Hard rules (required and banned terms, the limit, style rules) are never shortened.
 */
export const SOFT_LINES = ['description', 'tone', 'preferred_terms', 'audience'] as const;
export type SoftLine = (typeof SOFT_LINES)[number];

/** The brand's examples that fit the channel's limit, as the prompt uses them (at most three). */
export function channelExamples(brand: BrandVoice, channel: ChannelSpec): string[] {
  return brand.exampleCopy.filter((e) => e.length <= channel.maxChars).slice(0, 3);
}

const firstSentence = (text: string) => (text.match(/^.*?[.!?](\s|$)/s)?.[0] ?? text).trim().slice(0, 200);

const list = (items: string[]) => items.map((i) => `"${i}"`).join(', ');

export function buildCopyPrompt(input: CopyBrief): ChatMessage[] {
  const { brand, channel } = input;
  const rules = brand.styleRules;
  const short = new Set(input.shortened ?? []);
  const description = short.has('description') ? firstSentence(brand.description) : brand.description;
  const preferred = short.has('preferred_terms') ? brand.preferredTerms.slice(0, 3) : brand.preferredTerms;
  const tone = short.has('tone')
    ? brand.toneTraits.length
      ? [`We are ${brand.toneTraits.map((t) => t.weAre).join(', ')}.`]
      : []
    : brand.toneTraits.map((t) => `We are ${t.weAre}, but not ${t.weAreNot}.`);
  const lines = [
    `You write marketing copy for ${brand.name}. ${description}`.trim(),
    brand.audience && !short.has('audience') ? `Audience: ${brand.audience}.` : '',
    ...tone,
    preferred.length ? `Prefer these words: ${list(preferred)}.` : '',
    brand.requiredTerms.length ? `Always include: ${list(brand.requiredTerms)}.` : '',
    brand.bannedTerms.length ? `Never use: ${list(brand.bannedTerms)}.` : '',
    rules.contractions ? 'Contractions are fine.' : 'Do not use contractions.',
    rules.exclamationMarks ? '' : 'No exclamation marks.',
    rules.emoji ? '' : 'No emoji.',
    channel.headline && rules.headlineCase !== 'any' ? `Use ${rules.headlineCase} case.` : '',
    rules.targetReadingGrade ? `Keep it at reading grade ${rules.targetReadingGrade} or below.` : '',
    input.language && !input.language.startsWith('en') ? `Write in ${input.language}.` : '',
    `Write ${channel.purpose}, at most ${channel.maxChars} characters. Reply with the copy only.`,
  ].filter(Boolean);
  const examples = input.examples ?? channelExamples(brand, channel);
  const messages: ChatMessage[] = [{ role: 'system', content: lines.join('\n') }];
  for (const example of examples) {
    messages.push({ role: 'user', content: `Brief: ${input.brief}` }, { role: 'assistant', content: example });
  }
  messages.push({ role: 'user', content: `Brief: ${input.brief}` });
  return messages;
}
