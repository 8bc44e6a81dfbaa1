/**
 * A brand's visuals made ready for the compositor once per request: palette parsed, fonts
 * loaded (or the bundled Inter when the brand's font is not supplied), logo decoded.
 */
import sharp from 'sharp';
import type { BrandVisuals } from '../voice/brand-voice';
import { parsePalette, type Rgb } from './colour';
import { BUNDLED_FONT_FAMILY, bundledFontFace, loadFontFace, type BundledWeight, type FontFace, type FontSource } from './font-face';
import { ImageError, ImageErrorCode } from './image-error';
import type { AdFaces } from './ad-layout';

export interface BrandAssets {
  palette: Rgb[];
  faces: AdFaces;
  /** True when a brand font was named but no file was supplied, so Inter stood in. */
  fontSubstituted: boolean;
  fontsUsed: string[];
  logo: { png: Buffer; aspect: number } | null;
}

export interface BrandAssetOptions {
  /** Font files by family name (path or bytes: TTF, OTF or WOFF), for the brand's own fonts. */
  fontFiles?: Record<string, FontSource>;
}

function resolveFace(
  family: string | null,
  weight: BundledWeight,
  fontFiles: Record<string, FontSource>,
): { face: FontFace; substituted: boolean } {
  if (!family || family.toLowerCase() === BUNDLED_FONT_FAMILY.toLowerCase()) return { face: bundledFontFace(weight), substituted: false };
  const source = fontFiles[family];
  if (source === undefined) return { face: bundledFontFace(weight), substituted: true };
  return { face: loadFontFace(family, source), substituted: false };
}

async function decodeLogo(logo: Buffer): Promise<BrandAssets['logo']> {
  try {
    const { data, info } = await sharp(logo).ensureAlpha().png().toBuffer({ resolveWithObject: true });
    if (!info.width || !info.height) throw new Error('logo has no size');
    return { png: data, aspect: info.width / info.height };
  } catch (err) {
    throw new ImageError(
      ImageErrorCode.LOGO_UNREADABLE,
      `the brand logo cannot be decoded (PNG, SVG, WebP or JPEG expected): ${(err as Error).message}`,
      'logo',
    );
  }
}

export async function prepareBrandAssets(visuals: BrandVisuals, options: BrandAssetOptions = {}): Promise<BrandAssets> {
  const fontFiles = options.fontFiles ?? {};
  const heading = resolveFace(visuals.headingFont, 700, fontFiles);
  const body = resolveFace(visuals.bodyFont, 400, fontFiles);
  return {
    palette: parsePalette(visuals.palette),
    faces: { heading: heading.face, body: body.face },
    fontSubstituted: heading.substituted || body.substituted,
    fontsUsed: [...new Set([heading.face.family, body.face.family])],
    logo: visuals.logo ? await decodeLogo(visuals.logo) : null,
  };
}
