import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { AD_FORMAT_IDS, AD_FORMATS, type AdFormatId } from './ad-formats';
import { prepareBrandAssets } from './brand-assets';
import { contrastRatio, relativeLuminance, parseHexColour } from './colour';
import { composeAdCreative, type AdCreative } from './compositor';
import { ImageError, ImageErrorCode } from './image-error';
import { provenanceRecord, TRAINED_ALGORITHMIC_MEDIA } from './provenance';
import { digitalSourceType, xmpFromPng, xmpFromWebp } from './testing/read-xmp-chunks';
import type { BrandVisuals } from '../voice/brand-voice';

const W = 256;
const H = 256;

function background(kind: 'light' | 'dark' | 'busy'): { data: Buffer; width: number; height: number; channels: 3 } {
  const data = Buffer.alloc(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 3;
      if (kind === 'light') data.fill(235 + ((x + y) % 20), i, i + 3);
      else if (kind === 'dark') data.fill(10 + ((x * y) % 25), i, i + 3);
      else {
        // High-frequency black/white checks plus saturated colour: no single text colour passes.
        const check = ((x >> 1) + (y >> 1)) & 1;
        data[i] = check ? 255 : (x * 37) % 256;
        data[i + 1] = check ? 255 : 0;
        data[i + 2] = check ? 255 : (y * 53) % 256;
      }
    }
  }
  return { data, width: W, height: H, channels: 3 };
}

const brand: BrandVisuals = { palette: ['#0F62FE', '#FFD400', '#161616'], headingFont: null, bodyFont: null, logo: null };
const copy = {
  headline: 'Fresh coffee delivered every morning',
  subline: 'Roasted this week, brewed in minutes. Free delivery on your first order.',
  cta: 'Order now',
};
const provenance = provenanceRecord({
  modelId: 'test/model',
  modelVersion: 'v1',
  scheduler: 'euler',
  steps: 4,
  guidance: 7,
  seed: 9,
  width: W,
  height: H,
  prompt: 'coffee',
});

async function compose(format: AdFormatId, kind: 'light' | 'dark' | 'busy', extra: Partial<BrandVisuals> = {}): Promise<AdCreative> {
  return composeAdCreative({ picture: background(kind), format, brand: { ...brand, ...extra }, copy, provenance, keepPixels: true });
}

/**
 * Contrast measured on the output: every pixel in a text box that the text did not touch
 * (output == backdrop) is background the reader sees next to the glyphs; each must reach 4.5:1
 * against the text colour, and the text must actually be there (some pixels changed to it).
 */
function assertReadable(creative: AdCreative): void {
  const { final, backdrop } = creative.pixels!;
  for (const region of creative.brandCheck.text) {
    const colour = parseHexColour(region.colour);
    const lt = relativeLuminance(...colour);
    let background = 0;
    let ink = 0;
    let worst = 21;
    const { x, y, width, height } = region.box;
    for (let yy = Math.max(0, y); yy < Math.min(creative.height, y + height); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(creative.width, x + width); xx++) {
        const i = (yy * creative.width + xx) * 3;
        const same = final[i] === backdrop[i] && final[i + 1] === backdrop[i + 1] && final[i + 2] === backdrop[i + 2];
        if (same) {
          background++;
          worst = Math.min(worst, contrastRatio(lt, relativeLuminance(final[i], final[i + 1], final[i + 2])));
        } else {
          // Changed pixels must move towards the text colour (glyph coverage, anti-aliased).
          const before = Math.abs(backdrop[i] - colour[0]) + Math.abs(backdrop[i + 1] - colour[1]) + Math.abs(backdrop[i + 2] - colour[2]);
          const after = Math.abs(final[i] - colour[0]) + Math.abs(final[i + 1] - colour[1]) + Math.abs(final[i + 2] - colour[2]);
          assert.ok(after < before, `${creative.format} ${region.role}: a changed pixel moved away from the text colour`);
          ink++;
        }
      }
    }
    assert.ok(ink > 0, `${creative.format} ${region.role}: no text pixels in its box`);
    assert.ok(background > 0, `${creative.format} ${region.role}: no background pixels in its box`);
    assert.ok(worst >= 4.5, `${creative.format} ${region.role}: contrast ${worst.toFixed(2)} < 4.5 on the output pixels`);
  }
}

describe('ad compositor', () => {
  test('every format comes out at its exact size in PNG and WebP, with a smaller thumbnail', async () => {
    for (const id of AD_FORMAT_IDS) {
      const creative = await compose(id, 'light');
      const { width, height } = AD_FORMATS[id];
      assert.equal(creative.width, width);
      assert.equal(creative.height, height);
      for (const [kind, bytes] of [
        ['png', creative.png],
        ['webp', creative.webp],
      ] as const) {
        const meta = await sharp(bytes).metadata();
        assert.equal(meta.format, kind);
        assert.deepEqual([meta.width, meta.height], [width, height], `${id} ${kind}`);
      }
      const thumb = await sharp(creative.thumbnail).metadata();
      assert.ok(Math.max(thumb.width!, thumb.height!) <= 320 && thumb.width! / thumb.height! - width / height < 0.05, `${id} thumbnail`);
    }
  });

  test('text reaches 4.5:1 on the output pixels over light, dark and busy pictures', async () => {
    const scrims: boolean[] = [];
    for (const kind of ['light', 'dark', 'busy'] as const) {
      for (const id of ['SQUARE', 'STORY', 'LEADERBOARD', 'WIDE_SKYSCRAPER'] as const) {
        const creative = await compose(id, kind);
        assertReadable(creative);
        assert.ok(creative.brandCheck.minTextContrast! >= 4.5);
        assert.ok(!creative.brandCheck.issues.includes('LOW_TEXT_CONTRAST'));
        if (kind === 'busy') scrims.push(creative.brandCheck.text.some((t) => t.scrim));
      }
    }
    assert.ok(scrims.every(Boolean), 'busy pictures get a scrim');
  });

  test('story text and logo stay out of the top 14% and bottom 20%', async () => {
    const logo = await sharp({ create: { width: 120, height: 40, channels: 4, background: '#0F62FE' } })
      .png()
      .toBuffer();
    const creative = await composeAdCreative({ picture: background('dark'), format: 'STORY', brand: { ...brand, logo }, copy, provenance });
    for (const t of creative.brandCheck.text) {
      assert.ok(t.box.y >= 1920 * 0.14, `${t.role} starts at ${t.box.y}`);
      assert.ok(t.box.y + t.box.height <= 1920 * 0.8, `${t.role} ends at ${t.box.y + t.box.height}`);
    }
  });

  test('long copy is wrapped and shrunk, never cut off', async () => {
    const long = 'Everything you need to plan, write, test and launch campaigns across search, social and email, in one place';
    const creative = await composeAdCreative({
      picture: background('light'),
      format: 'MEDIUM_RECTANGLE',
      brand,
      copy: { ...copy, headline: long },
      provenance,
    });
    const headline = creative.brandCheck.text.find((t) => t.role === 'headline')!;
    assert.equal(headline.lines.join(' '), long);
    assert.ok(headline.lines.length > 1);
    assert.ok(headline.fontSize < AD_FORMATS.MEDIUM_RECTANGLE.headlineSize);
    assert.ok(headline.box.x >= 0 && headline.box.x + headline.box.width <= 300 && headline.box.y + headline.box.height <= 250);
    await assert.rejects(
      composeAdCreative({ picture: background('light'), format: 'LEADERBOARD', brand, copy: { headline: long.repeat(60) }, provenance }),
      (err: ImageError) => err.code === ImageErrorCode.TEXT_DOES_NOT_FIT,
    );
  });

  test('PNG, WebP and thumbnail all carry the IPTC trainedAlgorithmicMedia source type in XMP', async () => {
    const creative = await compose('SQUARE', 'busy');
    const png = xmpFromPng(creative.png);
    assert.ok(png, 'PNG has an XMP iTXt chunk');
    assert.equal(png.chunk, 'iTXt');
    assert.ok(png.beforeIdat);
    assert.equal(digitalSourceType(png.xmp), TRAINED_ALGORITHMIC_MEDIA);
    assert.match(png.xmp, new RegExp(provenance.promptSha256));
    for (const webp of [creative.webp, creative.thumbnail]) {
      const found = xmpFromWebp(webp);
      assert.ok(found, 'WebP has an XMP chunk');
      assert.ok(found.vp8xFlag, 'VP8X XMP flag set');
      assert.equal(digitalSourceType(found.xmp), TRAINED_ALGORITHMIC_MEDIA);
    }
    assert.equal(creative.provenance.digitalSourceType, TRAINED_ALGORITHMIC_MEDIA);
  });

  test('the brand check reports palette adherence, contrast and text area', async () => {
    const creative = await compose('SQUARE', 'light');
    const report = JSON.parse(JSON.stringify(creative.brandCheck));
    assert.equal(report.format, 'SQUARE');
    assert.ok(report.paletteAdherence.score >= 0 && report.paletteAdherence.score <= 1);
    assert.equal(report.paletteAdherence.perColour.length, 3);
    assert.ok(report.textAreaShare > 0 && report.textAreaShare < 1);
    assert.deepEqual(
      report.text.map((t: { role: string }) => t.role),
      ['headline', 'subline', 'cta'],
    );
    // A brand-coloured picture scores high adherence; a light grey one (no palette colour) low.
    const blue = Buffer.alloc(W * H * 3);
    for (let i = 0; i < blue.length; i += 3) blue.set([15, 98, 254], i);
    const onBrand = await composeAdCreative({
      picture: { data: blue, width: W, height: H, channels: 3 },
      format: 'SQUARE',
      brand,
      copy,
      provenance,
    });
    assert.ok(onBrand.brandCheck.paletteAdherence.score > 0.7, `on-brand adherence ${onBrand.brandCheck.paletteAdherence.score}`);
    assert.ok(report.paletteAdherence.score < 0.5);
  });

  test('bad input gets typed errors that name it', async () => {
    await assert.rejects(
      prepareBrandAssets({ ...brand, logo: Buffer.from('not an image') }),
      (e: ImageError) => e.code === ImageErrorCode.LOGO_UNREADABLE && e.subject === 'logo',
    );
    await assert.rejects(
      prepareBrandAssets({ ...brand, headingFont: 'Acme Sans' }, { fontFiles: { 'Acme Sans': '/nope/acme.ttf' } }),
      (e: ImageError) => e.code === ImageErrorCode.FONT_NOT_FOUND && e.message.includes('/nope/acme.ttf'),
    );
    await assert.rejects(
      prepareBrandAssets({ ...brand, headingFont: 'Acme Sans' }, { fontFiles: { 'Acme Sans': Buffer.from('garbage') } }),
      (e: ImageError) => e.code === ImageErrorCode.FONT_UNREADABLE,
    );
    await assert.rejects(
      prepareBrandAssets({ ...brand, palette: ['blue'] }),
      (e: ImageError) => e.code === ImageErrorCode.INVALID_PALETTE && e.subject === 'palette[0]',
    );
    await assert.rejects(
      composeAdCreative({ picture: background('light'), format: 'BILLBOARD' as AdFormatId, brand, copy, provenance }),
      (e: ImageError) => e.code === ImageErrorCode.UNKNOWN_FORMAT && e.subject === 'BILLBOARD',
    );
    await assert.rejects(
      composeAdCreative({ picture: Buffer.from('junk'), format: 'SQUARE', brand, copy, provenance }),
      (e: ImageError) => e.code === ImageErrorCode.PICTURE_UNREADABLE,
    );
  });

  test('an unsupplied brand font falls back to bundled Inter and says so', async () => {
    const assets = await prepareBrandAssets({ ...brand, headingFont: 'Acme Sans' });
    assert.equal(assets.fontSubstituted, true);
    assert.deepEqual(assets.fontsUsed, ['Inter']);
  });
});
