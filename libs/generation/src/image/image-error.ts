/**
 * Every way an ad-image request can be wrong or fail, as a code a caller can branch on and a
 * message that names the offending thing (the size, the font, the model part).
 */
export enum ImageErrorCode {
  /** Width/height not a positive multiple of 8, or beyond the engine's limits. */
  UNSUPPORTED_SIZE = 'UNSUPPORTED_SIZE',
  /** An ad format id the compositor does not know. */
  UNKNOWN_FORMAT = 'UNKNOWN_FORMAT',
  /** A font file that does not exist. */
  FONT_NOT_FOUND = 'FONT_NOT_FOUND',
  /** A font file that opentype.js cannot parse. */
  FONT_UNREADABLE = 'FONT_UNREADABLE',
  /** Logo bytes that no image decoder accepts. */
  LOGO_UNREADABLE = 'LOGO_UNREADABLE',
  /** The picture handed to the compositor cannot be decoded. */
  PICTURE_UNREADABLE = 'PICTURE_UNREADABLE',
  /** A palette entry that is not a #RGB / #RRGGBB colour, or an empty palette. */
  INVALID_PALETTE = 'INVALID_PALETTE',
  /** Copy that cannot be laid out in its box even at the smallest legible size. */
  TEXT_DOES_NOT_FIT = 'TEXT_DOES_NOT_FIT',
  /** A diffusion model folder that lacks a part (model_index.json, unet/model.onnx, …). */
  MODEL_PART_MISSING = 'MODEL_PART_MISSING',
  /** A model part whose inputs/outputs are not the expected signature. */
  MODEL_SIGNATURE_MISMATCH = 'MODEL_SIGNATURE_MISMATCH',
  /** A scheduler name or configuration this pipeline does not implement. */
  UNSUPPORTED_SCHEDULER = 'UNSUPPORTED_SCHEDULER',
  /** Bad generation parameters (steps, guidance, empty prompt). */
  INVALID_REQUEST = 'INVALID_REQUEST',
  /** The caller's AbortSignal fired. */
  CANCELLED = 'CANCELLED',
  /** The engine was closed, or its worker thread died. */
  ENGINE_CLOSED = 'ENGINE_CLOSED',
}

export class ImageError extends Error {
  override readonly name = 'ImageError';

  constructor(
    readonly code: ImageErrorCode,
    message: string,
    /** The field, file or part the error is about, when there is one. */
    readonly subject?: string,
  ) {
    super(message);
  }

  /** Plain form for crossing a worker_thread boundary (Error subclasses lose their fields). */
  toJSON(): { code: ImageErrorCode; message: string; subject?: string } {
    return { code: this.code, message: this.message, subject: this.subject };
  }

  static fromJSON(value: { code: ImageErrorCode; message: string; subject?: string }): ImageError {
    return new ImageError(value.code, value.message, value.subject);
  }
}
