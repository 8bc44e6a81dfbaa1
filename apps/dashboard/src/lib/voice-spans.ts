import type { VariantFieldsFragment } from '../graphql/generated';

type Report = VariantFieldsFragment['voiceReport'];

export interface VoiceSpan {
  start: number;
  end: number;
  /** Why it is marked, in the product's words. */
  label: string;
}

const EXCLAMATION = /[!¡！‼⁉❗❕]/gu;
const EMOJI = /\p{Extended_Pictographic}|\p{Regional_Indicator}/gu;
const CONTRACTION =
  /(\p{L}+n['’]t|\p{L}+['’](re|ve|ll|d|m)|\b(it|that|what|he|she|there|here|let|who|where|how|when|why)['’]s)(?![\p{L}\p{N}])/giu;

const failed = (report: Report, rule: string) => report.checks.some((c) => c.rule === rule && !c.passed);

/**
 * The voice diff: the spans of a variant that broke a rule, found from its report — banned terms,
 * and exclamation marks, emoji or contractions when their check failed. Overlaps keep the first.
 */
export function voiceSpans(text: string, report: Report): VoiceSpan[] {
  const spans: VoiceSpan[] = [];
  const lower = text.toLowerCase();
  for (const term of report.bannedTermsFound) {
    for (let at = lower.indexOf(term.toLowerCase()); at >= 0; at = lower.indexOf(term.toLowerCase(), at + term.length))
      spans.push({ start: at, end: at + term.length, label: `Banned term: ${term}` });
  }
  const marks: [string, RegExp, string][] = [
    ['exclamation', EXCLAMATION, 'Exclamation mark'],
    ['emoji', EMOJI, 'Emoji'],
    ['contractions', CONTRACTION, 'Contraction'],
  ];
  for (const [rule, re, label] of marks) {
    if (!failed(report, rule)) continue;
    for (const m of text.matchAll(re)) spans.push({ start: m.index!, end: m.index! + m[0].length, label });
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end);
  const kept: VoiceSpan[] = [];
  for (const s of spans) if (!kept.length || s.start >= kept[kept.length - 1].end) kept.push(s);
  return kept;
}

/** The text cut into plain and marked pieces, in order. */
export function splitBySpans(text: string, spans: VoiceSpan[]): { text: string; label?: string }[] {
  const pieces: { text: string; label?: string }[] = [];
  let at = 0;
  for (const s of spans) {
    if (s.start > at) pieces.push({ text: text.slice(at, s.start) });
    pieces.push({ text: text.slice(s.start, s.end), label: s.label });
    at = s.end;
  }
  if (at < text.length) pieces.push({ text: text.slice(at) });
  return pieces;
}
