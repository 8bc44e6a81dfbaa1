import { ClientCode, CodedError, type CodeTable } from '@brandwright/errors';

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

const badInput = { client: ClientCode.BAD_USER_INPUT, retryable: false };
const broken = { client: ClientCode.INTERNAL, retryable: false };

/**
 * What each code means to a client and to the job runner. A wrong request, font, logo or model
 * fails the same way every time: never retried.
 */
export const IMAGE_ERRORS: CodeTable<ImageErrorCode> = {
  [ImageErrorCode.UNSUPPORTED_SIZE]: badInput,
  [ImageErrorCode.UNKNOWN_FORMAT]: badInput,
  [ImageErrorCode.FONT_NOT_FOUND]: broken,
  [ImageErrorCode.FONT_UNREADABLE]: broken,
  [ImageErrorCode.LOGO_UNREADABLE]: badInput,
  [ImageErrorCode.PICTURE_UNREADABLE]: broken,
  [ImageErrorCode.INVALID_PALETTE]: badInput,
  [ImageErrorCode.TEXT_DOES_NOT_FIT]: badInput,
  [ImageErrorCode.MODEL_PART_MISSING]: broken,
  [ImageErrorCode.MODEL_SIGNATURE_MISMATCH]: broken,
  [ImageErrorCode.UNSUPPORTED_SCHEDULER]: broken,
  [ImageErrorCode.INVALID_REQUEST]: badInput,
  [ImageErrorCode.CANCELLED]: { client: ClientCode.INTERNAL, retryable: true },
  [ImageErrorCode.ENGINE_CLOSED]: { client: ClientCode.UNAVAILABLE, retryable: true },
};

export class ImageError extends CodedError<ImageErrorCode> {
  constructor(code: ImageErrorCode, message: string, subject?: string) {
    super(code, message, IMAGE_ERRORS[code], subject);
  }

  /** The field, file or part the error is about, when there is one. */
  get subject(): string | undefined {
    return this.field;
  }

  override toJSON() {
    return { ...super.toJSON(), code: this.code, subject: this.field };
  }

  static fromJSON(value: { code: ImageErrorCode; message: string; subject?: string; field?: string }): ImageError {
    return new ImageError(value.code, value.message, value.subject ?? value.field);
  }
}
