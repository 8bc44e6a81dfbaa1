/**
 * Samplers over a diffusers scheduler_config.json: Euler, Euler ancestral, DDIM, LCM and turbo
 * (Euler ancestral on "trailing" timesteps, as SD-Turbo / SDXL-Turbo are sampled in 1–4 steps).
 * The arithmetic follows diffusers' EulerDiscreteScheduler, EulerAncestralDiscreteScheduler,
 * DDIMScheduler (eta = 0) and LCMScheduler, so a real model gives diffusers' pictures.
 */
import { ImageError, ImageErrorCode } from '../image-error';
import type { SeededNoise } from './seeded-noise';

export type SchedulerName = 'euler' | 'euler_ancestral' | 'ddim' | 'lcm' | 'turbo';
export const SCHEDULER_NAMES: readonly SchedulerName[] = ['euler', 'euler_ancestral', 'ddim', 'lcm', 'turbo'];

export interface SchedulerConfig {
  num_train_timesteps?: number;
  beta_start?: number;
  beta_end?: number;
  beta_schedule?: 'linear' | 'scaled_linear' | string;
  prediction_type?: 'epsilon' | 'v_prediction' | 'sample' | string;
  timestep_spacing?: 'leading' | 'trailing' | 'linspace' | string;
  steps_offset?: number;
  set_alpha_to_one?: boolean;
  original_inference_steps?: number;
  timestep_scaling?: number;
}

/** One denoising run: the timesteps to feed the UNet and how to step the latents. */
export interface Sampler {
  readonly name: SchedulerName;
  /** UNet timesteps, one per step (diffusers' scheduler.timesteps). */
  readonly timesteps: number[];
  /** Multiply the initial Gaussian noise by this. */
  readonly initNoiseSigma: number;
  /** Scale applied to the latents before the UNet (Euler family: 1/sqrt(σ²+1)). */
  inputScale(step: number): number;
  /** Latents after step `step`, given the (guided) model output. Mutates and returns `latents`. */
  step(modelOutput: Float32Array, step: number, latents: Float32Array, noise: SeededNoise): Float32Array;
}

/** Step limits per sampler: distilled samplers are meant for very few steps. */
export const STEP_LIMITS: Record<SchedulerName, { min: number; max: number }> = {
  euler: { min: 1, max: 150 },
  euler_ancestral: { min: 1, max: 150 },
  ddim: { min: 1, max: 150 },
  lcm: { min: 1, max: 8 },
  turbo: { min: 1, max: 4 },
};

function alphasCumprod(config: SchedulerConfig): Float64Array {
  const n = config.num_train_timesteps ?? 1000;
  const start = config.beta_start ?? 0.00085;
  const end = config.beta_end ?? 0.012;
  const schedule = config.beta_schedule ?? 'scaled_linear';
  const betas = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f = n === 1 ? 0 : i / (n - 1);
    if (schedule === 'scaled_linear') betas[i] = (Math.sqrt(start) + f * (Math.sqrt(end) - Math.sqrt(start))) ** 2;
    else if (schedule === 'linear') betas[i] = start + f * (end - start);
    else
      throw new ImageError(ImageErrorCode.UNSUPPORTED_SCHEDULER, `beta_schedule "${schedule}" is not supported`, 'scheduler_config.json');
  }
  const out = new Float64Array(n);
  let prod = 1;
  for (let i = 0; i < n; i++) out[i] = prod *= 1 - betas[i];
  return out;
}

/** diffusers' set_timesteps for the three spacings (descending). */
function spacedTimesteps(config: SchedulerConfig, steps: number, spacing: string): number[] {
  const n = config.num_train_timesteps ?? 1000;
  if (spacing === 'linspace') {
    return Array.from({ length: steps }, (_, i) => (steps === 1 ? n - 1 : ((n - 1) * i) / (steps - 1))).reverse();
  }
  if (spacing === 'leading') {
    const ratio = Math.floor(n / steps);
    return Array.from({ length: steps }, (_, i) => Math.round(i * ratio) + (config.steps_offset ?? 0)).reverse();
  }
  if (spacing === 'trailing') {
    const ratio = n / steps;
    const out: number[] = [];
    for (let t = n; t > 0; t -= ratio) out.push(Math.round(t) - 1);
    return out.slice(0, steps);
  }
  throw new ImageError(ImageErrorCode.UNSUPPORTED_SCHEDULER, `timestep_spacing "${spacing}" is not supported`, 'scheduler_config.json');
}

/** The model's clean-sample estimate from its output, per prediction type. */
function predictOriginal(config: SchedulerConfig, output: number, sample: number, alpha: number): number {
  const type = config.prediction_type ?? 'epsilon';
  if (type === 'epsilon') return (sample - Math.sqrt(1 - alpha) * output) / Math.sqrt(alpha);
  if (type === 'v_prediction') return Math.sqrt(alpha) * sample - Math.sqrt(1 - alpha) * output;
  if (type === 'sample') return output;
  throw new ImageError(ImageErrorCode.UNSUPPORTED_SCHEDULER, `prediction_type "${type}" is not supported`, 'scheduler_config.json');
}

function interpolate(values: Float64Array, t: number): number {
  const lo = Math.max(0, Math.min(values.length - 1, Math.floor(t)));
  const hi = Math.min(values.length - 1, lo + 1);
  const w = t - lo;
  return values[lo] * (1 - w) + values[hi] * w;
}

function eulerSampler(name: 'euler' | 'euler_ancestral' | 'turbo', config: SchedulerConfig, steps: number): Sampler {
  const ac = alphasCumprod(config);
  const allSigmas = ac.map((a) => Math.sqrt((1 - a) / a));
  const spacing = name === 'turbo' ? 'trailing' : (config.timestep_spacing ?? 'leading');
  const timesteps = spacedTimesteps(config, steps, spacing);
  const sigmas = [...timesteps.map((t) => interpolate(allSigmas, t)), 0];
  const maxSigma = Math.max(...sigmas);
  const initNoiseSigma = spacing === 'linspace' || spacing === 'trailing' ? maxSigma : Math.sqrt(maxSigma ** 2 + 1);
  const ancestral = name !== 'euler';
  const type = config.prediction_type ?? 'epsilon';
  return {
    name,
    timesteps,
    initNoiseSigma,
    inputScale: (i) => 1 / Math.sqrt(sigmas[i] ** 2 + 1),
    step(output, i, x, noise) {
      const sigma = sigmas[i];
      const next = sigmas[i + 1];
      let down = next;
      let up = 0;
      if (ancestral) {
        up = sigma === 0 ? 0 : Math.sqrt(Math.max(0, (next ** 2 * (sigma ** 2 - next ** 2)) / sigma ** 2));
        down = Math.sqrt(Math.max(0, next ** 2 - up ** 2));
      }
      const dt = down - sigma;
      const s2 = sigma ** 2 + 1;
      // One loop per prediction type, so the per-element work has no branches (same arithmetic).
      const n = x.length;
      if (type === 'v_prediction') {
        const c = -sigma / Math.sqrt(s2);
        for (let k = 0; k < n; k++) {
          const xk = x[k];
          x[k] = xk + ((xk - (output[k] * c + xk / s2)) / sigma) * dt;
        }
      } else if (type === 'sample') {
        for (let k = 0; k < n; k++) {
          const xk = x[k];
          x[k] = xk + ((xk - output[k]) / sigma) * dt;
        }
      } else {
        for (let k = 0; k < n; k++) {
          const xk = x[k];
          x[k] = xk + ((xk - (xk - sigma * output[k])) / sigma) * dt;
        }
      }
      if (up > 0) for (let k = 0; k < x.length; k++) x[k] += noise.normal() * up;
      return x;
    },
  };
}

function ddimSampler(config: SchedulerConfig, steps: number): Sampler {
  const ac = alphasCumprod(config);
  const n = ac.length;
  const timesteps = spacedTimesteps(config, steps, config.timestep_spacing ?? 'leading');
  const finalAlpha = config.set_alpha_to_one === false ? ac[0] : 1;
  return {
    name: 'ddim',
    timesteps,
    initNoiseSigma: 1,
    inputScale: () => 1,
    step(output, i, x) {
      const t = timesteps[i];
      const prev = t - Math.floor(n / steps);
      const alpha = ac[Math.min(n - 1, Math.max(0, t))];
      const alphaPrev = prev >= 0 ? ac[prev] : finalAlpha;
      for (let k = 0; k < x.length; k++) {
        const x0 = predictOriginal(config, output[k], x[k], alpha);
        const eps = (x[k] - Math.sqrt(alpha) * x0) / Math.sqrt(1 - alpha);
        x[k] = Math.sqrt(alphaPrev) * x0 + Math.sqrt(1 - alphaPrev) * eps;
      }
      return x;
    },
  };
}

/** LCMScheduler: skipping timesteps of the original 50-step schedule, consistency boundary terms. */
function lcmSampler(config: SchedulerConfig, steps: number): Sampler {
  const ac = alphasCumprod(config);
  const n = ac.length;
  const original = config.original_inference_steps ?? 50;
  const k = Math.floor(n / original);
  const lcmOrigin = Array.from({ length: original }, (_, i) => (i + 1) * k - 1).reverse();
  const skip = Math.floor(lcmOrigin.length / steps);
  const timesteps = Array.from({ length: steps }, (_, i) => lcmOrigin[i * skip]);
  const scaling = config.timestep_scaling ?? 10;
  const sigmaData = 0.5;
  const finalAlpha = config.set_alpha_to_one === false ? ac[0] : 1;
  return {
    name: 'lcm',
    timesteps,
    initNoiseSigma: 1,
    inputScale: () => 1,
    step(output, i, x, noise) {
      const t = timesteps[i];
      const prev = i + 1 < timesteps.length ? timesteps[i + 1] : -1;
      const alpha = ac[t];
      const alphaPrev = prev >= 0 ? ac[prev] : finalAlpha;
      const scaled = t * scaling;
      const cSkip = sigmaData ** 2 / (scaled ** 2 + sigmaData ** 2);
      const cOut = scaled / Math.sqrt(scaled ** 2 + sigmaData ** 2);
      const last = i === timesteps.length - 1;
      for (let j = 0; j < x.length; j++) {
        const denoised = cOut * predictOriginal(config, output[j], x[j], alpha) + cSkip * x[j];
        x[j] = last ? denoised : Math.sqrt(alphaPrev) * denoised + Math.sqrt(1 - alphaPrev) * noise.normal();
      }
      return x;
    },
  };
}

export function createSampler(name: SchedulerName, config: SchedulerConfig, steps: number): Sampler {
  const limits = STEP_LIMITS[name];
  if (!limits) {
    throw new ImageError(
      ImageErrorCode.UNSUPPORTED_SCHEDULER,
      `scheduler "${name}" is not one of ${SCHEDULER_NAMES.join(', ')}`,
      'scheduler',
    );
  }
  if (!Number.isInteger(steps) || steps < limits.min || steps > limits.max) {
    throw new ImageError(ImageErrorCode.INVALID_REQUEST, `${name} takes ${limits.min}–${limits.max} steps, not ${steps}`, 'steps');
  }
  switch (name) {
    case 'euler':
    case 'euler_ancestral':
    case 'turbo':
      return eulerSampler(name, config, steps);
    case 'ddim':
      return ddimSampler(config, steps);
    case 'lcm':
      return lcmSampler(config, steps);
  }
}
