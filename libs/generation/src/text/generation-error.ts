import { ClientCode, CodedError, type CodeTable } from '@brandwright/errors';

/** Why a generation could not run. The API maps these codes to GraphQL error codes at the edge. */
export enum GenerationErrorCode {
  MODEL_NOT_FOUND = 'MODEL_NOT_FOUND',
  MODEL_INVALID = 'MODEL_INVALID',
  /** A model whose ONNX signature the engine cannot feed (the message names the input or output). */
  MODEL_UNSUPPORTED = 'MODEL_UNSUPPORTED',
  PROMPT_TOO_LONG = 'PROMPT_TOO_LONG',
  INVALID_PARAMETERS = 'INVALID_PARAMETERS',
  UNKNOWN_CHANNEL = 'UNKNOWN_CHANNEL',
  CANCELLED = 'CANCELLED',
  ENGINE_CLOSED = 'ENGINE_CLOSED',
  DOWNLOAD_FAILED = 'DOWNLOAD_FAILED',
  INTEGRITY_MISMATCH = 'INTEGRITY_MISMATCH',
  /** The model threw while running (prefill, decode, sampling) or its inference thread crashed. */
  INFERENCE_FAILED = 'INFERENCE_FAILED',
  /** The watchdog saw no progress for the stall timeout. */
  GENERATION_STALLED = 'GENERATION_STALLED',
  INTERNAL = 'INTERNAL',
}

const internal = (retryable: boolean) => ({ client: ClientCode.INTERNAL, retryable });
const badInput = { client: ClientCode.BAD_USER_INPUT, retryable: false };

/**
 * What each code means to a client and to the job runner. Permanent failures (the model or the
 * request is wrong) end a job at once; another attempt is worth it only when something transient
 * failed (a stuck thread was replaced, the engine was restarting).
 */
export const GENERATION_ERRORS: CodeTable<GenerationErrorCode> = {
  [GenerationErrorCode.MODEL_NOT_FOUND]: internal(false),
  [GenerationErrorCode.MODEL_INVALID]: internal(false),
  [GenerationErrorCode.MODEL_UNSUPPORTED]: internal(false),
  [GenerationErrorCode.PROMPT_TOO_LONG]: badInput,
  [GenerationErrorCode.INVALID_PARAMETERS]: badInput,
  [GenerationErrorCode.UNKNOWN_CHANNEL]: badInput,
  [GenerationErrorCode.CANCELLED]: internal(true),
  [GenerationErrorCode.ENGINE_CLOSED]: { client: ClientCode.UNAVAILABLE, retryable: true },
  [GenerationErrorCode.DOWNLOAD_FAILED]: internal(false),
  [GenerationErrorCode.INTEGRITY_MISMATCH]: internal(false),
  // The same prompt on the same model fails the same way (e.g. ids the model cannot embed).
  [GenerationErrorCode.INFERENCE_FAILED]: internal(false),
  // A stuck thread was replaced; the next attempt runs on a fresh one.
  [GenerationErrorCode.GENERATION_STALLED]: internal(true),
  [GenerationErrorCode.INTERNAL]: internal(true),
};

export class GenerationError extends CodedError<GenerationErrorCode> {
  constructor(code: GenerationErrorCode, message: string, field?: string) {
    super(code, message, GENERATION_ERRORS[code], field);
  }

  static fromJSON(value: { code: GenerationErrorCode; message: string; field?: string }): GenerationError {
    return new GenerationError(value.code, value.message, value.field);
  }
}
