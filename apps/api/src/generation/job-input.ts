import type { AdFormatId, ChannelId } from '@brandwright/generation';

/** A copy job's request as stored on its row (seed fixed at enqueue, so a re-run writes the same). */
export interface CopyJobInput {
  channel: ChannelId;
  brief: string;
  variants: number;
  language: string;
  seed: number;
}

/** An ad image job's request as stored on its row. */
export interface AdImagesJobInput {
  prompt: string;
  formats: AdFormatId[];
  headline: string;
  subline: string | null;
  cta: string | null;
  variants: number;
  seed: number;
}
