import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { ImageEngine } from './engine/image-engine';
import { silentLogger } from './engine/open-session';
import { generateAdCreatives, type AdCreativesProgress } from './generate-ad-creatives';
import { ImageError, ImageErrorCode } from './image-error';
import { sha256Hex, TRAINED_ALGORITHMIC_MEDIA } from './provenance';
import { digitalSourceType, xmpFromPng, xmpFromWebp } from './testing/read-xmp-chunks';

let engine: ImageEngine;
// No model folder: the built-in CPPN generator, as under `npm start`.
before(async () => (engine = await ImageEngine.start({ modelDir: null, executionProvider: 'cpu', logger: silentLogger })));
after(() => engine.close());

const brandVisuals = { palette: ['#0F62FE', '#FFD400', '#161616'], headingFont: null, bodyFont: null, logo: null };

test('generateAdCreatives: variants × formats, each with PNG, WebP, thumbnail, brand check and provenance', async () => {
  const progress: AdCreativesProgress[] = [];
  const variants = await generateAdCreatives(
    {
      engine,
      brandVisuals,
      prompt: 'abstract brand background',
      formats: ['MEDIUM_RECTANGLE', 'LEADERBOARD'],
      headline: 'Plan your week in minutes',
      subline: 'Try it free for thirty days.',
      cta: 'Start free',
      variants: 2,
      seed: 10,
    },
    { onProgress: (p) => progress.push(p) },
  );
  assert.equal(variants.length, 2);
  assert.deepEqual(
    variants.map((v) => v.seed),
    [10, 11],
  );
  for (const variant of variants) {
    assert.deepEqual(
      variant.creatives.map((c) => c.format),
      ['MEDIUM_RECTANGLE', 'LEADERBOARD'],
    );
    for (const creative of variant.creatives) {
      const meta = await sharp(creative.png).metadata();
      assert.deepEqual([meta.width, meta.height], [creative.width, creative.height]);
      assert.equal(digitalSourceType(xmpFromPng(creative.png)!.xmp), TRAINED_ALGORITHMIC_MEDIA);
      assert.equal(digitalSourceType(xmpFromWebp(creative.webp)!.xmp), TRAINED_ALGORITHMIC_MEDIA);
      assert.equal(digitalSourceType(xmpFromWebp(creative.thumbnail)!.xmp), TRAINED_ALGORITHMIC_MEDIA);
      assert.equal(creative.provenance.modelId, 'brandwright/cppn');
      assert.equal(creative.provenance.seed, variant.seed);
      assert.equal(creative.provenance.promptSha256, sha256Hex('abstract brand background'));
      assert.ok(creative.brandCheck.passed);
      // The built-in generator paints in the palette, so the creative is on-brand.
      assert.ok(creative.brandCheck.paletteAdherence.score > 0.5);
    }
  }
  assert.equal(progress.at(-1)!.fraction, 1);
  assert.ok(progress.every((p, i) => i === 0 || p.fraction >= progress[i - 1].fraction));
});

test('generateAdCreatives honours an aborted signal', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(
    generateAdCreatives({ engine, brandVisuals, prompt: 'x', formats: ['SQUARE'], headline: 'Hi', seed: 1 }, { signal: controller.signal }),
    (e: ImageError) => e.code === ImageErrorCode.CANCELLED,
  );
});
