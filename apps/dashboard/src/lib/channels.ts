import { CHANNEL_SPECS, type ChannelId } from '@brandwright/generation/src/voice/channel-specs';

/** The generation engine's own channel table, so the counter and the model share one limit. */
export { CHANNEL_SPECS };
export type { ChannelId };

export function channelLabel(id: string): string {
  return (CHANNEL_SPECS as Record<string, { label: string }>)[id]?.label ?? id;
}

export function channelLimit(id: string): number | null {
  return (CHANNEL_SPECS as Record<string, { maxChars: number }>)[id]?.maxChars ?? null;
}
