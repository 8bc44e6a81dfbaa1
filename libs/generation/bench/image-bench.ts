/**
 * `npm run bench:image` — two comparisons, each against the bare library doing the same work:
 *
 * 1. Diffusion: the image engine's time per UNet step (worker thread, CFG batch of 2, scheduler,
 *    progress messages, measured on the caller's clock between progress events) against a bare
 *    onnxruntime-node loop calling the same UNet with the same tensors. Target: ≤ 5% overhead.
 * 2. Compositor: milliseconds per ad format (crop, layout, contrast, scrim, text, PNG + WebP +
 *    thumbnail, XMP, brand check) against a bare sharp cover-resize + PNG + WebP encode of the
 *    same size.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import sharp from 'sharp';
import { buildTinyDiffusionModel } from '../src/models/tiny-diffusion';
import { ImageEngine } from '../src/image/engine/image-engine';
import { imageSessionOptions, silentLogger } from '../src/image/engine/open-session';
import { UNET_SESSION } from '../src/image/diffusion/diffusion-pipeline';
import { CppnGenerator } from '../src/image/cppn/cppn-generator';
import { AD_FORMAT_IDS, AD_FORMATS } from '../src/image/ad-formats';
import { composeAdCreative } from '../src/image/compositor';
import { prepareBrandAssets } from '../src/image/brand-assets';
import { provenanceRecord } from '../src/image/provenance';

const STEPS = 12;
const SIZE = 512;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function pipelinePerStep(engine: ImageEngine): Promise<number> {
  const stamps: number[] = [];
  await engine.generate(
    {
      prompt: 'a photo of coffee',
      negativePrompt: 'blurry',
      width: SIZE,
      height: SIZE,
      steps: STEPS,
      guidance: 7.5,
      scheduler: 'euler',
      seed: 1,
    },
    { onProgress: () => stamps.push(performance.now()) },
  );
  // Between the first and last progress events lie STEPS - 1 complete steps.
  return (stamps[stamps.length - 1] - stamps[0]) / (STEPS - 1);
}

async function bareUnetPerStep(unetPath: string): Promise<number> {
  // Exactly the session options the pipeline opens its UNet with (arena, threads, spinning), so
  // the ratio measures the pipeline's own overhead, not a difference in ORT settings.
  const session = await ort.InferenceSession.create(unetPath, imageSessionOptions('cpu', UNET_SESSION).options);
  const h = SIZE / 8;
  const feeds = {
    sample: new ort.Tensor('float32', new Float32Array(2 * 4 * h * h).fill(0.1), [2, 4, h, h]),
    timestep: new ort.Tensor('int64', BigInt64Array.from([500n]), [1]),
    encoder_hidden_states: new ort.Tensor('float32', new Float32Array(2 * 77 * 64).fill(0.01), [2, 77, 64]),
  };
  await session.run(feeds);
  const t = performance.now();
  for (let i = 0; i < STEPS - 1; i++) await session.run(feeds);
  const perStep = (performance.now() - t) / (STEPS - 1);
  await session.release();
  return perStep;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bw-image-bench-'));
  try {
    buildTinyDiffusionModel({ dir, size: 'bench' });
    console.log(`diffusion: tiny bench UNet, ${SIZE}×${SIZE} (latent 4×${SIZE / 8}×${SIZE / 8}), CFG batch 2, Euler, ${STEPS} steps, CPU`);
    const engine = await ImageEngine.start({ modelDir: dir, executionProvider: 'cpu', logger: silentLogger });
    await pipelinePerStep(engine); // warm-up
    const pipeline: number[] = [];
    const bare: number[] = [];
    // Interleaved, alternating which goes first, so both see the same machine load. Before each
    // measurement, a pause longer than ONNX Runtime's ~50 ms spin-wait after a run: otherwise the
    // previous measurement's idle threads still busy-wait on one of the cores the next one times.
    const settle = () => new Promise((resolveSettle) => setTimeout(resolveSettle, 100));
    for (let round = 0; round < 10; round++) {
      const order = round % 2 === 0 ? ['pipeline', 'bare'] : ['bare', 'pipeline'];
      for (const which of order) {
        await settle();
        if (which === 'pipeline') pipeline.push(await pipelinePerStep(engine));
        else bare.push(await bareUnetPerStep(join(dir, 'unet', 'model.onnx')));
      }
    }
    await engine.close();
    const p = median(pipeline);
    const b = median(bare);
    console.log(
      `diffusion per UNet step: pipeline ${p.toFixed(1)} ms, bare onnxruntime-node loop ${b.toFixed(1)} ms, ratio ${(p / b).toFixed(3)} (overhead ${((p / b - 1) * 100).toFixed(1)}%, target ≤ 5%)`,
    );

    const palette = ['#0F62FE', '#FFD400', '#161616', '#F4F4F4'];
    const cppn = await CppnGenerator.create({ executionProvider: 'cpu', log: silentLogger });
    const picture = await cppn.generate({ prompt: '', width: 768, height: 768, seed: 5, palette });
    await cppn.release();
    const raw = { data: Buffer.from(picture.rgb), width: 768, height: 768, channels: 3 as const };
    const brand = { palette, headingFont: null, bodyFont: null, logo: null };
    const assets = await prepareBrandAssets(brand);
    const provenance = provenanceRecord({ ...picture, prompt: 'bench' });
    const copy = {
      headline: 'Plan your week in minutes',
      subline: 'Try it free for thirty days. No credit card required.',
      cta: 'Start free',
    };
    console.log('compositor: 768×768 picture → creative (PNG + WebP + thumbnail + brand check) vs bare sharp cover-resize + PNG + WebP');
    let totalOurs = 0;
    let totalBare = 0;
    for (const id of AD_FORMAT_IDS) {
      const { width, height } = AD_FORMATS[id];
      const ours: number[] = [];
      const base: number[] = [];
      for (let i = 0; i < 3; i++) {
        let t = performance.now();
        await composeAdCreative({ picture: raw, format: id, brand, assets, copy, provenance });
        ours.push(performance.now() - t);
        t = performance.now();
        const resized = sharp(raw.data, { raw: { width: 768, height: 768, channels: 3 } }).resize(width, height, { fit: 'cover' });
        await Promise.all([resized.clone().png().toBuffer(), resized.clone().webp({ quality: 90 }).toBuffer()]);
        base.push(performance.now() - t);
      }
      const o = median(ours);
      const s = median(base);
      totalOurs += o;
      totalBare += s;
      console.log(
        `compositor ${id.padEnd(16)} ${`${width}×${height}`.padEnd(10)} ours ${o.toFixed(1).padStart(7)} ms, bare sharp ${s.toFixed(1).padStart(7)} ms, ratio ${(o / s).toFixed(2)}`,
      );
    }
    console.log(
      `compositor all formats: ours ${totalOurs.toFixed(0)} ms, bare sharp ${totalBare.toFixed(0)} ms, ratio ${(totalOurs / totalBare).toFixed(2)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

void main().then(() => process.exit(0));
