import { useSubscription } from 'urql';
import { GenerationUpdatedDocument, type GenerationUpdatedSubscription, type JobStatus } from '../graphql/generated';

export interface JobStream {
  status: JobStatus | null;
  progress: number;
  /** Text so far, one string per variant stream, in token order. */
  streams: string[];
  errorCode: string | null;
  errorMessage: string | null;
}

const EMPTY: JobStream = { status: null, progress: 0, streams: [], errorCode: null, errorMessage: null };

/**
 * Follows one job over graphql-ws: status, progress and, for copy, the text as the model writes
 * it. Tokens carry their index, so a late or repeated one lands in its place.
 */
export function useJobStream(jobId: string | null): JobStream & { finished: boolean } {
  const [{ data }] = useSubscription<GenerationUpdatedSubscription, JobStream & { tokens: string[][] }>(
    { query: GenerationUpdatedDocument, variables: { jobId: jobId ?? '' }, pause: !jobId },
    (previous = { ...EMPTY, tokens: [] }, update) => {
      const u = update.generationUpdated;
      const tokens = previous.tokens.map((t) => t.slice());
      if (u.token) {
        tokens[u.token.variant] ??= [];
        tokens[u.token.variant][u.token.index] = u.token.text;
      }
      return {
        status: u.status,
        progress: Math.max(previous.progress, u.progress),
        errorCode: u.errorCode ?? previous.errorCode,
        errorMessage: u.errorMessage ?? previous.errorMessage,
        tokens,
        streams: Array.from(tokens, (t) => (t ?? []).join('')),
      };
    },
  );
  const stream = jobId && data ? data : EMPTY;
  return { ...stream, finished: isFinished(stream.status) };
}

export function isFinished(status: JobStatus | null | undefined): boolean {
  return status === 'SUCCEEDED' || status === 'FAILED' || status === 'CANCELLED';
}
