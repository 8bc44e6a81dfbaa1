/**
 * Text-to-image over ONNX Runtime: CLIP tokens → text encoder → UNet loop with classifier-free
 * guidance → VAE decoder. Runs in whichever thread creates it; the image engine puts it in a
 * worker_thread because `session.run()` blocks its thread.
 *
 * Input names and dtypes (timestep int64 vs float, fp16 exports) come from each session's
 * `inputMetadata`, not from assumptions about the export.
 */
import type * as ort from 'onnxruntime-node';
import { ImageError, ImageErrorCode } from '../image-error';
import { MAX_IMAGE_SIDE, type GeneratedPicture, type ImageRequest } from '../generation-request';
import { openSession, type EngineLogger, type ExecutionProviderChoice, type OpenSessionOptions } from '../engine/open-session';
import { ClipTokenizer } from './clip-tokenizer';
import { locateDiffusionModel, type DiffusionModelFiles } from './diffusion-model';
import { createSampler, type SchedulerName } from './schedulers';
import { SeededNoise } from './seeded-noise';
import { FloatFeed, ScalarFeed, floatTensor, numericTensor, readFloats } from './tensors';

/**
 * How the UNet session is opened (the bench's baseline opens its UNet the same way): its threads
 * keep busy-waiting between runs, as the next step starts well inside ONNX Runtime's spin window.
 * The memory arena stays off as for every session (runtime/execution-provider): with it on, the
 * bench UNet measured no faster, and it would keep the largest picture's activations for good.
 */
export const UNET_SESSION: OpenSessionOptions = { spinning: true };

interface TensorInput {
  name: string;
  type: string;
  shape: ReadonlyArray<number | string>;
}

function inputsOf(session: ort.InferenceSession): TensorInput[] {
  return session.inputMetadata.filter((m) => m.isTensor).map((m) => m as unknown as TensorInput);
}

function requireInput(session: ort.InferenceSession, part: string, names: string[]): TensorInput {
  const found = inputsOf(session).find((m) => names.includes(m.name));
  if (!found) {
    const have = session.inputNames.join(', ');
    throw new ImageError(ImageErrorCode.MODEL_SIGNATURE_MISMATCH, `${part} has no input ${names.join(' / ')} (it has: ${have})`, part);
  }
  return found;
}

function outputName(session: ort.InferenceSession, part: string, preferred: string): string {
  if (session.outputNames.includes(preferred)) return preferred;
  if (session.outputNames.length === 0) throw new ImageError(ImageErrorCode.MODEL_SIGNATURE_MISMATCH, `${part} has no outputs`, part);
  return session.outputNames[0];
}

export interface DiffusionRunHooks {
  onProgress?: (step: number, total: number) => void;
  /** Checked between steps; true stops the run with CANCELLED. */
  isCancelled?: () => boolean;
}

export interface DiffusionPipelineOptions {
  executionProvider?: ExecutionProviderChoice;
  log: EngineLogger;
  intraOpNumThreads?: number;
}

export class DiffusionPipeline {
  private constructor(
    readonly files: DiffusionModelFiles,
    private readonly tokenizer: ClipTokenizer,
    private readonly textEncoder: ort.InferenceSession,
    private readonly unet: ort.InferenceSession,
    private readonly vae: ort.InferenceSession,
    readonly provider: 'cuda' | 'cpu',
  ) {
    this.ids = requireInput(textEncoder, 'text_encoder', ['input_ids']);
    this.sample = requireInput(unet, 'unet', ['sample']);
    this.timestep = requireInput(unet, 'unet', ['timestep']);
    this.context = requireInput(unet, 'unet', ['encoder_hidden_states']);
    this.latentIn = requireInput(vae, 'vae_decoder', ['latent_sample']);
    this.hiddenOut = outputName(textEncoder, 'text_encoder', 'last_hidden_state');
    this.unetOut = outputName(unet, 'unet', 'out_sample');
    this.vaeOut = outputName(vae, 'vae_decoder', 'sample');
    const channels = this.sample.shape[1];
    this.latentChannels = typeof channels === 'number' ? channels : 4;
  }

  private readonly ids: TensorInput;
  private readonly sample: TensorInput;
  private readonly timestep: TensorInput;
  private readonly context: TensorInput;
  private readonly latentIn: TensorInput;
  private readonly hiddenOut: string;
  private readonly unetOut: string;
  private readonly vaeOut: string;
  private readonly latentChannels: number;

  static async load(modelDir: string, options: DiffusionPipelineOptions): Promise<DiffusionPipeline> {
    const files = locateDiffusionModel(modelDir);
    const tokenizer = ClipTokenizer.load(files.tokenizerDir);
    const choice = options.executionProvider ?? 'auto';
    const open = (path: string) =>
      openSession(path, choice, options.log, { intraOpNumThreads: options.intraOpNumThreads, spinning: false });
    // Only the UNet runs back to back; threads left spinning by the text encoder would compete
    // with the first UNet steps (and the VAE's with whatever runs next) on a small machine.
    const text = await open(files.textEncoder);
    const unet = await openSession(files.unet, choice, options.log, { intraOpNumThreads: options.intraOpNumThreads, ...UNET_SESSION });
    const vae = await open(files.vaeDecoder);
    const provider = unet.provider;
    options.log.info('diffusion model loaded', { model: files.modelId, provider });
    return new DiffusionPipeline(files, tokenizer, text.session, unet.session, vae.session, provider);
  }

  private validate(request: ImageRequest): { steps: number; guidance: number; scheduler: SchedulerName } {
    const { width, height } = request;
    for (const [name, value] of [
      ['width', width],
      ['height', height],
    ] as const) {
      if (!Number.isInteger(value) || value < 64 || value > MAX_IMAGE_SIDE || value % 8 !== 0) {
        throw new ImageError(
          ImageErrorCode.UNSUPPORTED_SIZE,
          `${name} ${value} must be a multiple of 8 between 64 and ${MAX_IMAGE_SIDE}`,
          name,
        );
      }
    }
    const factor = this.files.vaeScaleFactor;
    if (width % factor !== 0 || height % factor !== 0) {
      throw new ImageError(ImageErrorCode.UNSUPPORTED_SIZE, `${width}×${height} is not a multiple of the VAE's ${factor}`, 'width');
    }
    if (!request.prompt?.trim()) throw new ImageError(ImageErrorCode.INVALID_REQUEST, 'the prompt is empty', 'prompt');
    const scheduler = request.scheduler ?? 'euler';
    const guidance = request.guidance ?? (scheduler === 'turbo' || scheduler === 'lcm' ? 1 : 7.5);
    if (!Number.isFinite(guidance) || guidance < 0 || guidance > 30) {
      throw new ImageError(ImageErrorCode.INVALID_REQUEST, `guidance ${guidance} must be between 0 and 30`, 'guidance');
    }
    const steps = request.steps ?? (scheduler === 'turbo' ? 1 : scheduler === 'lcm' ? 4 : 25);
    return { steps, guidance, scheduler };
  }

  private async encodeText(prompts: string[]): Promise<ort.Tensor> {
    const ids = prompts.flatMap((p) => this.tokenizer.encode(p));
    const feeds = { [this.ids.name]: numericTensor(this.ids.type, ids, [prompts.length, this.tokenizer.maxLength]) };
    const out = await this.textEncoder.run(feeds);
    return out[this.hiddenOut];
  }

  async generate(request: ImageRequest, hooks: DiffusionRunHooks = {}): Promise<GeneratedPicture> {
    const { steps, guidance, scheduler } = this.validate(request);
    const sampler = createSampler(scheduler, this.files.scheduler, steps);
    const guided = guidance > 1;
    const cancelled = () => {
      if (hooks.isCancelled?.()) throw new ImageError(ImageErrorCode.CANCELLED, 'image generation was cancelled');
    };

    const prompts = guided ? [request.negativePrompt ?? '', request.prompt] : [request.prompt];
    const hidden = await this.encodeText(prompts);
    const context = this.context.type === hidden.type ? hidden : floatTensor(this.context.type, readFloats(hidden), [...hidden.dims]);

    const h = request.height / this.files.vaeScaleFactor;
    const w = request.width / this.files.vaeScaleFactor;
    const size = this.latentChannels * h * w;
    const noise = new SeededNoise(request.seed);
    const latents = noise.normals(size);
    for (let i = 0; i < size; i++) latents[i] *= sampler.initNoiseSigma;

    // Everything the loop feeds the UNet is allocated once per picture: the CFG batch is written
    // in place into one buffer behind one tensor, the timestep into a one-element buffer, and
    // guidance is combined in place in the (already copied-out) UNet output.
    const batch = prompts.length;
    const sampleFeed = new FloatFeed(this.sample.type, size * batch, [batch, this.latentChannels, h, w]);
    const timestepFeed = new ScalarFeed(this.timestep.type);
    const feeds = { [this.sample.name]: sampleFeed.tensor, [this.timestep.name]: timestepFeed.tensor, [this.context.name]: context };
    const modelInput = sampleFeed.values;
    const total = sampler.timesteps.length;
    for (let i = 0; i < total; i++) {
      cancelled();
      const scale = sampler.inputScale(i);
      for (let k = 0; k < size; k++) modelInput[k] = latents[k] * scale;
      for (let b = 1; b < batch; b++) modelInput.copyWithin(b * size, 0, size);
      sampleFeed.sync();
      timestepFeed.set(sampler.timesteps[i]);
      const out = await this.unet.run(feeds);
      const eps = readFloats(out[this.unetOut]);
      if (guided) for (let k = 0; k < size; k++) eps[k] += guidance * (eps[size + k] - eps[k]);
      sampler.step(eps.subarray(0, size), i, latents, noise);
      hooks.onProgress?.(i + 1, total);
    }
    cancelled();

    for (let k = 0; k < size; k++) latents[k] /= this.files.vaeScalingFactor;
    const decoded = await this.vae.run({ [this.latentIn.name]: floatTensor(this.latentIn.type, latents, [1, this.latentChannels, h, w]) });
    const rgb = toRgb(readFloats(decoded[this.vaeOut]), request.width, request.height);
    return {
      width: request.width,
      height: request.height,
      rgb,
      modelId: this.files.modelId,
      modelVersion: this.files.modelVersion,
      scheduler,
      steps,
      guidance,
      seed: request.seed,
      provider: this.provider,
    };
  }

  async release(): Promise<void> {
    await Promise.all([this.textEncoder.release(), this.unet.release(), this.vae.release()]);
  }
}

/** NCHW in [-1, 1] → packed RGB bytes. */
function toRgb(sample: Float32Array, width: number, height: number): Uint8Array {
  const plane = width * height;
  const rgb = new Uint8Array(plane * 3);
  for (let c = 0; c < 3; c++) {
    for (let p = 0; p < plane; p++) {
      const v = (sample[c * plane + p] / 2 + 0.5) * 255;
      rgb[p * 3 + c] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
    }
  }
  return rgb;
}
