/**
 * The visual brand check kept next to every creative: does the picture use the brand's colours,
 * does every piece of text read (WCAG 4.5:1 on the real pixels), and how much of the ad is text
 * (platforms deliver text-heavy images less; Meta's old guideline was 20%).
 */
import type { Box, TextRole } from './ad-layout';
import { deltaE, MIN_TEXT_CONTRAST, rgbToLab, toHex, type Rgb } from './colour';
import type { RgbImage } from './text-contrast';

export interface TextRegionReport {
  role: TextRole;
  box: Box;
  colour: string;
  fontFamily: string;
  fontSize: number;
  lines: string[];
  /** Worst contrast between the text colour and any pixel under the text, measured after rendering. */
  contrast: number;
  /** Whether a scrim was laid under the copy to reach that contrast. */
  scrim: boolean;
}

export interface PaletteAdherence {
  /** Share of sampled pixels within `maxDeltaE` (CIE76) of some palette colour, 0..1. */
  score: number;
  maxDeltaE: number;
  perColour: Array<{ colour: string; share: number }>;
}

export type BrandCheckIssue = 'LOW_TEXT_CONTRAST' | 'TEXT_AREA_OVER_20_PERCENT' | 'LOW_PALETTE_ADHERENCE' | 'BRAND_FONT_SUBSTITUTED';

export interface BrandCheckReport {
  format: string;
  width: number;
  height: number;
  paletteAdherence: PaletteAdherence;
  text: TextRegionReport[];
  minTextContrast: number | null;
  /** Share of the ad's area covered by text boxes (CTA label included), 0..1. */
  textAreaShare: number;
  fontsUsed: string[];
  issues: BrandCheckIssue[];
  passed: boolean;
}

const ADHERENCE_DELTA_E = 20;
const ADHERENCE_MIN = 0.25;
const TEXT_AREA_MAX = 0.2;

export function paletteAdherence(img: RgbImage, palette: Rgb[], maxSamples = 20000): PaletteAdherence {
  const labs = palette.map((c) => rgbToLab(c[0], c[1], c[2]));
  const hits = new Array<number>(palette.length).fill(0);
  const stride = Math.max(1, Math.ceil(Math.sqrt((img.width * img.height) / maxSamples)));
  let total = 0;
  for (let y = 0; y < img.height; y += stride) {
    for (let x = 0; x < img.width; x += stride) {
      const i = (y * img.width + x) * 3;
      const lab = rgbToLab(img.data[i], img.data[i + 1], img.data[i + 2]);
      let nearest = -1;
      let nearestDistance = Infinity;
      labs.forEach((p, k) => {
        const d = deltaE(lab, p);
        if (d < nearestDistance) {
          nearestDistance = d;
          nearest = k;
        }
      });
      total++;
      if (nearestDistance <= ADHERENCE_DELTA_E) hits[nearest]++;
    }
  }
  const score = hits.reduce((a, b) => a + b, 0) / Math.max(1, total);
  return {
    score,
    maxDeltaE: ADHERENCE_DELTA_E,
    perColour: palette.map((c, k) => ({ colour: toHex(c), share: hits[k] / Math.max(1, total) })),
  };
}

export function brandCheck(input: {
  format: string;
  image: RgbImage;
  palette: Rgb[];
  text: TextRegionReport[];
  fontsUsed: string[];
  fontSubstituted: boolean;
}): BrandCheckReport {
  const { image, text } = input;
  const adherence = paletteAdherence(image, input.palette);
  const area = text.reduce((n, t) => n + t.box.width * t.box.height, 0);
  const textAreaShare = area / (image.width * image.height);
  const minTextContrast = text.length ? Math.min(...text.map((t) => t.contrast)) : null;
  const issues: BrandCheckIssue[] = [];
  if (minTextContrast !== null && minTextContrast < MIN_TEXT_CONTRAST) issues.push('LOW_TEXT_CONTRAST');
  if (textAreaShare > TEXT_AREA_MAX) issues.push('TEXT_AREA_OVER_20_PERCENT');
  if (adherence.score < ADHERENCE_MIN) issues.push('LOW_PALETTE_ADHERENCE');
  if (input.fontSubstituted) issues.push('BRAND_FONT_SUBSTITUTED');
  return {
    format: input.format,
    width: image.width,
    height: image.height,
    paletteAdherence: adherence,
    text,
    minTextContrast,
    textAreaShare,
    fontsUsed: input.fontsUsed,
    issues,
    // Contrast is the only hard failure; the rest are advice for the marketer.
    passed: !issues.includes('LOW_TEXT_CONTRAST'),
  };
}
