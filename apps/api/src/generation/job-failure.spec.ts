import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BillingException, BillingExceptionCode } from '@brandwright/billing';
import { GenerationError, GenerationErrorCode, ImageError, ImageErrorCode } from '@brandwright/generation';
import { AppError, ErrorCode, RateLimitedError } from '../common/errors/app-error';
import { jobFailureOf } from './job-failure';

test('permanent errors are never retried; transient ones are', () => {
  const cases: Array<[Error, string, boolean]> = [
    [
      new ImageError(ImageErrorCode.MODEL_SIGNATURE_MISMATCH, 'unet: no input "timestep"', 'unet/model.onnx'),
      'MODEL_SIGNATURE_MISMATCH',
      false,
    ],
    [new ImageError(ImageErrorCode.UNKNOWN_FORMAT, 'no format BILLBOARD', 'BILLBOARD'), 'UNKNOWN_FORMAT', false],
    [new GenerationError(GenerationErrorCode.MODEL_INVALID, 'model.onnx is not ONNX'), 'MODEL_INVALID', false],
    [new GenerationError(GenerationErrorCode.PROMPT_TOO_LONG, 'too long', 'brief'), 'PROMPT_TOO_LONG', false],
    [new BillingException(BillingExceptionCode.CREDITS_EXHAUSTED, 'no credits'), 'CREDITS_EXHAUSTED', false],
    [new AppError(ErrorCode.NOT_FOUND, 'brand deleted', {}, 'BRAND_DELETED'), 'BRAND_DELETED', false],
    [new GenerationError(GenerationErrorCode.GENERATION_STALLED, 'no progress for 60 s'), 'GENERATION_STALLED', true],
    [new ImageError(ImageErrorCode.ENGINE_CLOSED, 'the image thread died'), 'ENGINE_CLOSED', true],
    [new RateLimitedError(3), 'RATE_LIMITED', true],
    [new Error('connection reset'), 'INTERNAL', true],
  ];
  for (const [error, code, retry] of cases) assert.deepEqual(jobFailureOf(error), { code, message: error.message, retry }, code);
});
