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

export class GenerationError extends Error {
  constructor(
    readonly code: GenerationErrorCode,
    message: string,
    /** The offending input field, when one is to blame (e.g. "temperature"). */
    readonly field?: string,
  ) {
    super(message);
    this.name = 'GenerationError';
  }

  /** Plain object form, for crossing a worker_threads boundary. */
  toJSON(): { code: GenerationErrorCode; message: string; field?: string } {
    return { code: this.code, message: this.message, field: this.field };
  }

  static fromJSON(value: { code: GenerationErrorCode; message: string; field?: string }): GenerationError {
    return new GenerationError(value.code, value.message, value.field);
  }
}
