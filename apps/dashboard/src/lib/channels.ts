import { CHANNEL_SPECS, type ChannelId } from '@brandwright/generation/channels';

/** The generation engine's own channel table, so the counter and the model share one limit. */
export { CHANNEL_SPECS };
export type { ChannelId };

export function channelLabel(id: string): string {
  return (CHANNEL_SPECS as Record<string, { label: string }>)[id]?.label ?? id;
}

export function channelLimit(id: string): number | null {
  return (CHANNEL_SPECS as Record<string, { maxChars: number }>)[id]?.maxChars ?? null;
}

/**
 * Characters as the engine counts them against a channel's limit: UTF-16 code units (`length`),
 * the count its hard limit and voice report use. Counting code points here made the live counter
 * disagree with the finished variant's (an emoji read 1 while streaming, 2 once done). A finished
 * variant is counted from its text too, not from its voice report's `characters`: the api strips
 * U+0000/U+FFFD from stored copy after the report was built, so the report can count characters
 * the page never shows.
 */
export function channelCharacters(text: string): number {
  return text.length;
}
