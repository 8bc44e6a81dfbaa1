import { BillingException, BillingExceptionCode } from '../billing.exception';

/**
 * What a workspace consumes. Text is counted in tokens (prompt and output priced apart, since
 * output tokens cost the GPU far more); images are counted per image, by size class.
 */
export enum Meter {
  TEXT_PROMPT_TOKENS = 'text_prompt_tokens',
  TEXT_OUTPUT_TOKENS = 'text_output_tokens',
  IMAGE_SMALL = 'image_small',
  IMAGE_MEDIUM = 'image_medium',
  IMAGE_LARGE = 'image_large',
}

export const METERS: readonly Meter[] = Object.values(Meter);

export interface MeterRate {
  /** Credits charged per `per` units of the meter. */
  credits: number;
  per: number;
  unit: 'token' | 'image';
}

export const METER_RATES: Readonly<Record<Meter, MeterRate>> = {
  [Meter.TEXT_PROMPT_TOKENS]: { credits: 1, per: 1000, unit: 'token' },
  [Meter.TEXT_OUTPUT_TOKENS]: { credits: 3, per: 1000, unit: 'token' },
  [Meter.IMAGE_SMALL]: { credits: 4, per: 1, unit: 'image' },
  [Meter.IMAGE_MEDIUM]: { credits: 10, per: 1, unit: 'image' },
  [Meter.IMAGE_LARGE]: { credits: 20, per: 1, unit: 'image' },
};

export function isMeter(value: string): value is Meter {
  return (METERS as readonly string[]).includes(value);
}

export function assertMeter(value: string): Meter {
  if (!isMeter(value)) {
    throw new BillingException(BillingExceptionCode.INVALID_USAGE, `meter: "${value}" is not one of ${METERS.join(', ')}`, {
      field: 'meter',
    });
  }
  return value;
}

export function assertQuantity(quantity: number, field = 'quantity'): number {
  if (!Number.isSafeInteger(quantity) || quantity < 0) {
    throw new BillingException(BillingExceptionCode.INVALID_USAGE, `${field}: must be a whole number ≥ 0, got ${quantity}`, {
      field,
    });
  }
  return quantity;
}

/**
 * Whole credits for a quantity of one meter, rounded up per job: a 40-token prompt costs one
 * credit, not 0.04, so many tiny jobs can't run for free.
 */
export function creditsFor(meter: Meter, quantity: number): number {
  if (quantity === 0) return 0;
  const rate = METER_RATES[meter];
  return Math.ceil((quantity * rate.credits) / rate.per);
}

/** The size class an image of width × height pixels is billed as. */
export function imageMeterFor(width: number, height: number): Meter {
  const pixels = width * height;
  if (pixels <= 512 * 512) return Meter.IMAGE_SMALL;
  if (pixels <= 1024 * 1024) return Meter.IMAGE_MEDIUM;
  return Meter.IMAGE_LARGE;
}
