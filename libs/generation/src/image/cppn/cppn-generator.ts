/**
 * Runs the CPPN graph: abstract brand backgrounds at any size, with no model download. Same seed
 * and palette, same pixels. Used when no diffusion model is installed (and so by `npm start`).
 */
import * as ort from 'onnxruntime-node';
import { parsePalette } from '../colour';
import { ImageError, ImageErrorCode } from '../image-error';
import { MAX_IMAGE_SIDE, type GeneratedPicture, type ImageRequest } from '../generation-request';
import { openSession, type EngineLogger, type ExecutionProviderChoice } from '../engine/open-session';
import { SeededNoise } from '../diffusion/seeded-noise';
import { buildCppnGraph, CPPN_HIDDEN, CPPN_MODEL_ID, CPPN_VERSION } from './cppn-graph';

/** Pixels per session.run: bounds memory (each hidden layer is points × 16 floats). */
const CHUNK_POINTS = 1 << 17;
const DEFAULT_PALETTE = ['#0F62FE', '#FFFFFF', '#161616'];

export class CppnGenerator {
  private constructor(
    private readonly session: ort.InferenceSession,
    readonly provider: 'cuda' | 'cpu',
  ) {}

  static async create(options: {
    executionProvider?: ExecutionProviderChoice;
    log: EngineLogger;
    intraOpNumThreads?: number;
  }): Promise<CppnGenerator> {
    const { session, provider } = await openSession(buildCppnGraph(), options.executionProvider ?? 'auto', options.log, options);
    options.log.info('built-in brand generator ready', { model: CPPN_MODEL_ID, provider });
    return new CppnGenerator(session, provider);
  }

  private weights(seed: number, paletteSize: number): Record<string, ort.Tensor> {
    const noise = new SeededNoise(seed ^ 0x5bd1e995);
    const H = CPPN_HIDDEN;
    const t = (dims: number[], scale: number) => {
      const n = dims.reduce((a, b) => a * b, 1);
      const data = noise.normals(n);
      for (let i = 0; i < n; i++) data[i] *= scale;
      return new ort.Tensor('float32', data, dims);
    };
    // A random zoom per seed gives both broad colour fields and finer patterns.
    const zoom = 0.8 + noise.uniform() * 1.6;
    return {
      w1: t([3, H], zoom),
      b1: t([1, H], 0.8),
      w2: t([H, H], (1.2 / Math.sqrt(H)) * 2),
      b2: t([1, H], 1),
      w3: t([H, H], 1.5 / Math.sqrt(H)),
      w_out: t([H, paletteSize], 1.5),
      sharpness: new ort.Tensor('float32', Float32Array.from([6]), [1]),
    };
  }

  async generate(
    request: ImageRequest,
    hooks: { onProgress?: (step: number, total: number) => void; isCancelled?: () => boolean } = {},
  ): Promise<GeneratedPicture> {
    const { width, height } = request;
    for (const [name, value] of [
      ['width', width],
      ['height', height],
    ] as const) {
      if (!Number.isInteger(value) || value < 1 || value > MAX_IMAGE_SIDE) {
        throw new ImageError(ImageErrorCode.UNSUPPORTED_SIZE, `${name} ${value} must be a whole number from 1 to ${MAX_IMAGE_SIDE}`, name);
      }
    }
    const colours = parsePalette(request.palette?.length ? request.palette : DEFAULT_PALETTE);
    const palette = new ort.Tensor('float32', Float32Array.from(colours.flat()), [colours.length, 3]);
    const weights = this.weights(request.seed, colours.length);
    const rgb = new Uint8Array(width * height * 3);
    const half = Math.min(width, height) / 2;
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_POINTS / width));
    const chunks = Math.ceil(height / rowsPerChunk);
    for (let c = 0; c < chunks; c++) {
      if (hooks.isCancelled?.()) throw new ImageError(ImageErrorCode.CANCELLED, 'image generation was cancelled');
      const y0 = c * rowsPerChunk;
      const rows = Math.min(rowsPerChunk, height - y0);
      const coords = new Float32Array(rows * width * 3);
      for (let r = 0, i = 0; r < rows; r++) {
        const y = (y0 + r + 0.5 - height / 2) / half;
        for (let x = 0; x < width; x++, i += 3) {
          const xx = (x + 0.5 - width / 2) / half;
          coords[i] = xx;
          coords[i + 1] = y;
          coords[i + 2] = Math.sqrt(xx * xx + y * y);
        }
      }
      const out = await this.session.run({ coords: new ort.Tensor('float32', coords, [rows * width, 3]), palette, ...weights });
      rgb.set(out.rgb.data as Uint8Array, y0 * width * 3);
      hooks.onProgress?.(c + 1, chunks);
    }
    return {
      width,
      height,
      rgb,
      modelId: CPPN_MODEL_ID,
      modelVersion: CPPN_VERSION,
      scheduler: 'cppn',
      steps: 1,
      guidance: 0,
      seed: request.seed,
      provider: this.provider,
    };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
