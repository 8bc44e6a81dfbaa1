/**
 * The ad compositor: a generated picture plus copy becomes a finished creative in one ad format —
 * cover-cropped picture, logo, headline, subline and CTA button in the brand's fonts and colours,
 * text colour or scrim chosen so every glyph has at least 4.5:1 contrast against the pixels
 * actually under it — encoded as PNG and WebP (with a thumbnail), each marked as AI-generated.
 */
import sharp from 'sharp';
import type { OverlayOptions, Sharp } from 'sharp';
import { adFormat, type AdFormatId } from './ad-formats';
import { planAdLayout, type AdCopy, type AdLayoutPlan, type Box, type PlacedText } from './ad-layout';
import { prepareBrandAssets, type BrandAssetOptions, type BrandAssets } from './brand-assets';
import { brandCheck, type BrandCheckReport, type TextRegionReport } from './brand-check';
import { MIN_TEXT_CONTRAST, toHex, type Rgb } from './colour';
import { ImageError, ImageErrorCode } from './image-error';
import { embedXmpInPng, xmpPacket, type ProvenanceRecord } from './provenance';
import { chooseScrim, chooseTextColour, minContrastInBox, samplePixels, type RgbImage, type ScrimChoice } from './text-contrast';
import type { BrandVisuals } from '../voice/brand-voice';

/** Raw pixels (as the image engine returns them) or an encoded image (PNG, JPEG, WebP…). */
export type PictureInput = Buffer | { data: Buffer | Uint8Array; width: number; height: number; channels: 3 | 4 };

export interface ComposeAdInput extends BrandAssetOptions {
  picture: PictureInput;
  format: AdFormatId;
  brand: BrandVisuals;
  copy: AdCopy;
  provenance: ProvenanceRecord;
  /** Brand assets already prepared for this brand (saves re-parsing fonts per format). */
  assets?: BrandAssets;
  /** Longest side of the thumbnail, default 320. */
  thumbnailMaxSide?: number;
  /** Also return the raw RGB of the finished ad and of its backdrop (everything but the text). */
  keepPixels?: boolean;
}

export interface AdCreative {
  format: AdFormatId;
  width: number;
  height: number;
  png: Buffer;
  webp: Buffer;
  thumbnail: Buffer;
  brandCheck: BrandCheckReport;
  provenance: ProvenanceRecord;
  pixels?: { final: Buffer; backdrop: Buffer };
}

function pictureSharp(picture: PictureInput): Sharp {
  if (Buffer.isBuffer(picture)) return sharp(picture);
  const { data, width, height, channels } = picture;
  return sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels } });
}

async function coverCrop(picture: PictureInput, width: number, height: number): Promise<RgbImage> {
  try {
    const data = await pictureSharp(picture)
      .resize(width, height, { fit: 'cover', position: sharp.strategy.attention })
      .removeAlpha()
      .raw()
      .toBuffer();
    return { data, width, height };
  } catch (err) {
    throw new ImageError(ImageErrorCode.PICTURE_UNREADABLE, `the picture cannot be decoded: ${(err as Error).message}`, 'picture');
  }
}

function pad(box: Box, by: number): Box {
  return { x: box.x - by, y: box.y - by, width: box.width + 2 * by, height: box.height + 2 * by };
}

const hex = (c: Rgb) => toHex(c);

interface ColourPlan {
  text: Map<PlacedText, Rgb>;
  scrim: (ScrimChoice & { box: Box }) | null;
  buttonFill: Rgb | null;
}

function planColours(plan: AdLayoutPlan, base: RgbImage, assets: BrandAssets): ColourPlan {
  const text = new Map<PlacedText, Rgb>();
  const copyTexts = plan.texts.filter((t) => t.role !== 'cta');
  let scrim: ColourPlan['scrim'] = null;
  const choices = copyTexts.map((t) => chooseTextColour(samplePixels(base, [pad(t.box, 1)]), assets.palette));
  if (choices.every((c) => c !== null)) {
    copyTexts.forEach((t, i) => text.set(t, choices[i]!.colour));
  } else if (plan.copyBlock) {
    scrim = scrimFor(plan, base, assets);
    for (const t of copyTexts) text.set(t, scrim.text);
  }
  let buttonFill: Rgb | null = null;
  const cta = plan.texts.find((t) => t.role === 'cta');
  if (cta && plan.button) {
    buttonFill = assets.palette[0];
    const fill = Uint8Array.from(buttonFill);
    text.set(cta, (chooseTextColour(fill, assets.palette.slice(1)) ?? { colour: [255, 255, 255] as Rgb }).colour);
  }
  return { text, scrim, buttonFill };
}

function scrimFor(plan: AdLayoutPlan, base: RgbImage, assets: BrandAssets): ScrimChoice & { box: Box } {
  const copyTexts = plan.texts.filter((t) => t.role !== 'cta');
  const headline = copyTexts[0].wrapped.size;
  const box = pad(plan.copyBlock!, Math.max(4, headline * 0.3));
  return {
    ...chooseScrim(
      samplePixels(
        base,
        copyTexts.map((t) => pad(t.box, 1)),
      ),
      assets.palette,
    ),
    box,
  };
}

function backdropSvg(plan: AdLayoutPlan, colours: ColourPlan): string | null {
  const { width, height } = plan.format;
  const shapes: string[] = [];
  if (colours.scrim) {
    const { box, scrim, alpha } = colours.scrim;
    const r = Math.min(box.height, box.width) * 0.08;
    shapes.push(
      `<rect x="${box.x.toFixed(2)}" y="${box.y.toFixed(2)}" width="${box.width.toFixed(2)}" height="${box.height.toFixed(2)}" rx="${r.toFixed(2)}" fill="${hex(scrim)}" fill-opacity="${alpha.toFixed(3)}"/>`,
    );
  }
  if (plan.button && colours.buttonFill) {
    const { box, radius } = plan.button;
    shapes.push(
      `<rect x="${box.x.toFixed(2)}" y="${box.y.toFixed(2)}" width="${box.width.toFixed(2)}" height="${box.height.toFixed(2)}" rx="${radius.toFixed(2)}" fill="${hex(colours.buttonFill)}"/>`,
    );
  }
  if (shapes.length === 0) return null;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${shapes.join('')}</svg>`;
}

function textSvg(plan: AdLayoutPlan, colours: ColourPlan): string {
  const { width, height } = plan.format;
  const paths = plan.texts.map((t) => {
    const { wrapped, face, box } = t;
    const ascent = face.ascent(wrapped.size);
    const d = wrapped.lines
      .map((line, i) => {
        const x = t.align === 'center' ? box.x + (box.width - wrapped.widths[i]) / 2 : box.x;
        return face.pathData(line, x, box.y + ascent + i * wrapped.lineHeight, wrapped.size);
      })
      .join('');
    return `<path d="${d}" fill="${hex(colours.text.get(t)!)}"/>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${paths.join('')}</svg>`;
}

async function renderBackdrop(base: RgbImage, plan: AdLayoutPlan, colours: ColourPlan, logo: Buffer | null): Promise<RgbImage> {
  const layers: OverlayOptions[] = [];
  const svg = backdropSvg(plan, colours);
  if (svg) layers.push({ input: Buffer.from(svg), left: 0, top: 0 });
  if (logo) layers.push({ input: logo, left: Math.round(plan.logo!.x), top: Math.round(plan.logo!.y) });
  if (layers.length === 0) return base;
  const data = await sharp(base.data, { raw: { width: base.width, height: base.height, channels: 3 } })
    .composite(layers)
    .removeAlpha()
    .raw()
    .toBuffer();
  return { data, width: base.width, height: base.height };
}

/** Re-measure on the rendered backdrop and strengthen the scrim until every text passes. */
async function settleContrast(
  base: RgbImage,
  plan: AdLayoutPlan,
  colours: ColourPlan,
  assets: BrandAssets,
  logo: Buffer | null,
): Promise<{ backdrop: RgbImage; contrasts: Map<PlacedText, number> }> {
  for (let attempt = 0; ; attempt++) {
    const backdrop = await renderBackdrop(base, plan, colours, logo);
    const contrasts = new Map(plan.texts.map((t) => [t, minContrastInBox(backdrop, t.box, colours.text.get(t)!)] as const));
    const failing = plan.texts.filter((t) => contrasts.get(t)! < MIN_TEXT_CONTRAST);
    if (failing.length === 0 || attempt >= 10) return { backdrop, contrasts };
    for (const t of failing) {
      if (t.role === 'cta') {
        // The label sits on a flat fill: white or black always reaches 4.5:1 against it.
        const fill = colours.buttonFill ?? [0, 0, 0];
        colours.text.set(t, (chooseTextColour(Uint8Array.from(fill), []) ?? { colour: [255, 255, 255] as Rgb }).colour);
      }
    }
    if (failing.some((t) => t.role !== 'cta')) {
      if (!colours.scrim) {
        colours.scrim = scrimFor(plan, base, assets);
        for (const t of plan.texts) if (t.role !== 'cta') colours.text.set(t, colours.scrim.text);
      } else {
        colours.scrim.alpha = Math.min(1, colours.scrim.alpha + 0.1);
      }
    }
  }
}

async function resizedLogo(assets: BrandAssets, plan: AdLayoutPlan): Promise<Buffer | null> {
  if (!assets.logo || !plan.logo) return null;
  return sharp(assets.logo.png)
    .resize(Math.max(1, Math.round(plan.logo.width)), Math.max(1, Math.round(plan.logo.height)), {
      fit: 'contain',
      background: { r: 0, g: 0, b: 0, alpha: 0 },
    })
    .png()
    .toBuffer();
}

function roundBox(b: Box): Box {
  const x = Math.floor(b.x);
  const y = Math.floor(b.y);
  return { x, y, width: Math.ceil(b.x + b.width) - x, height: Math.ceil(b.y + b.height) - y };
}

export async function composeAdCreative(input: ComposeAdInput): Promise<AdCreative> {
  const format = adFormat(input.format);
  const assets = input.assets ?? (await prepareBrandAssets(input.brand, input));
  const base = await coverCrop(input.picture, format.width, format.height);
  const plan = planAdLayout(format, input.copy, assets.faces, assets.logo?.aspect ?? null);
  const colours = planColours(plan, base, assets);
  const logo = await resizedLogo(assets, plan);
  const { backdrop, contrasts } = await settleContrast(base, plan, colours, assets, logo);

  const final = await sharp(backdrop.data, { raw: { width: format.width, height: format.height, channels: 3 } })
    .composite([{ input: Buffer.from(textSvg(plan, colours)), left: 0, top: 0 }])
    .removeAlpha()
    .raw()
    .toBuffer();

  const xmp = xmpPacket(input.provenance);
  const raw = () => sharp(final, { raw: { width: format.width, height: format.height, channels: 3 } });
  const side = input.thumbnailMaxSide ?? 320;
  const [png, webp, thumbnail] = await Promise.all([
    raw()
      .png({ compressionLevel: 6 })
      .toBuffer()
      .then((b) => embedXmpInPng(b, xmp)),
    raw().withXmp(xmp).webp({ quality: 90 }).toBuffer(),
    raw().resize(side, side, { fit: 'inside' }).withXmp(xmp).webp({ quality: 80 }).toBuffer(),
  ]);

  const text: TextRegionReport[] = plan.texts.map((t) => ({
    role: t.role,
    box: roundBox(t.box),
    colour: hex(colours.text.get(t)!),
    fontFamily: t.face.family,
    fontSize: Math.round(t.wrapped.size * 10) / 10,
    lines: t.wrapped.lines,
    contrast: Math.round(contrasts.get(t)! * 100) / 100,
    scrim: t.role !== 'cta' && colours.scrim !== null,
  }));
  const report = brandCheck({
    format: format.id,
    image: { data: final, width: format.width, height: format.height },
    palette: assets.palette,
    text,
    fontsUsed: assets.fontsUsed,
    fontSubstituted: assets.fontSubstituted,
  });
  return {
    format: format.id,
    width: format.width,
    height: format.height,
    png,
    webp,
    thumbnail,
    brandCheck: report,
    provenance: input.provenance,
    ...(input.keepPixels ? { pixels: { final, backdrop: backdrop.data } } : {}),
  };
}
