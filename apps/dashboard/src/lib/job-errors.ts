import type { JobStatus } from '../graphql/generated';

/**
 * Why a generation job ended without copy, as a sentence a marketer can act on. The job's
 * errorCode picks the advice; its errorMessage (written by the engine for people) is the detail.
 * Null while the job is running or when it succeeded.
 */
export function describeJobFailure(
  status: JobStatus | null | undefined,
  code: string | null | undefined,
  message: string | null | undefined,
  /** Variants the finished job stored, once known: a success with none is a failure to the reader. */
  variants?: number,
): string | null {
  if (status === 'CANCELLED') return 'The generation was cancelled; nothing was charged.';
  if (status === 'SUCCEEDED' && variants === 0)
    return 'The model wrote nothing usable for this brief (every attempt came back empty or repeated). Rephrase the brief or try again.';
  if (status !== 'FAILED') return null;
  const detail = message?.trim() || 'no reason was given';
  switch (code) {
    case 'PROMPT_TOO_LONG':
      // The engine's message names what to cut and by how many tokens.
      return `The brief and brand voice are too long for this model. ${detail}`;
    case 'INFERENCE_FAILED':
      return `The model failed while writing (${detail}). Nothing was charged. Tell your administrator: the installed model may be broken.`;
    case 'GENERATION_STALLED':
      return `The model stopped making progress (${detail}). Nothing was charged; try again in a minute.`;
    case 'MODEL_NOT_FOUND':
    case 'MODEL_INVALID':
    case 'MODEL_UNSUPPORTED':
      return `No usable text model is installed (${detail}). Tell your administrator.`;
    case 'BRAND_DELETED':
      return detail;
    default:
      return `Generation failed: ${detail}. Nothing was charged; try again.`;
  }
}
