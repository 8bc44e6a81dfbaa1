/**
 * Text colour and scrim choice, judged against the actual pixels under each piece of text.
 *
 * WCAG contrast depends only on luminance, so the worst pixel under the text decides. Choosing is
 * done on a subsample (fast); the compositor then re-measures every pixel of the rendered
 * backdrop and strengthens the scrim if the subsample missed a worse pixel.
 */
import type { Box } from './ad-layout';
import { contrastRatio, relativeLuminance, MIN_TEXT_CONTRAST, type Rgb } from './colour';

/** Packed RGB pixels (3 channels), as sharp's `.raw()` gives them. */
export interface RgbImage {
  data: Buffer;
  width: number;
  height: number;
}

/** Choose with a little headroom so 8-bit rounding in rendering cannot push a choice under 4.5. */
const TARGET = MIN_TEXT_CONTRAST + 0.15;

function clampBox(img: RgbImage, box: Box): { x0: number; y0: number; x1: number; y1: number } {
  return {
    x0: Math.max(0, Math.floor(box.x)),
    y0: Math.max(0, Math.floor(box.y)),
    x1: Math.min(img.width, Math.ceil(box.x + box.width)),
    y1: Math.min(img.height, Math.ceil(box.y + box.height)),
  };
}

/** The lowest contrast between `colour` and any pixel inside `box`. */
export function minContrastInBox(img: RgbImage, box: Box, colour: Rgb): number {
  const lt = relativeLuminance(colour[0], colour[1], colour[2]);
  const { x0, y0, x1, y1 } = clampBox(img, box);
  let worst = 21;
  const d = img.data;
  for (let y = y0; y < y1; y++) {
    let i = (y * img.width + x0) * 3;
    for (let x = x0; x < x1; x++, i += 3) {
      const c = contrastRatio(lt, relativeLuminance(d[i], d[i + 1], d[i + 2]));
      if (c < worst) worst = c;
    }
  }
  return worst;
}

/** Up to `max` pixels of the boxes, on a regular grid. */
export function samplePixels(img: RgbImage, boxes: Box[], max = 3000): Uint8Array {
  const out: number[] = [];
  const area = boxes.reduce((n, b) => n + b.width * b.height, 0);
  const stride = Math.max(1, Math.floor(Math.sqrt(area / max)));
  for (const box of boxes) {
    const { x0, y0, x1, y1 } = clampBox(img, box);
    for (let y = y0; y < y1; y += stride) {
      for (let x = x0; x < x1; x += stride) {
        const i = (y * img.width + x) * 3;
        out.push(img.data[i], img.data[i + 1], img.data[i + 2]);
      }
    }
  }
  return Uint8Array.from(out);
}

/** The lowest contrast of `text` over any pixel (through the scrim); stops early once below `floor`. */
function worstContrast(pixels: Uint8Array, text: Rgb, scrim: Rgb | null, alpha: number, floor = 0): number {
  const lt = relativeLuminance(text[0], text[1], text[2]);
  let worst = 21;
  for (let i = 0; i < pixels.length; i += 3) {
    let r = pixels[i];
    let g = pixels[i + 1];
    let b = pixels[i + 2];
    if (scrim && alpha > 0) {
      r = Math.round(alpha * scrim[0] + (1 - alpha) * r);
      g = Math.round(alpha * scrim[1] + (1 - alpha) * g);
      b = Math.round(alpha * scrim[2] + (1 - alpha) * b);
    }
    const c = contrastRatio(lt, relativeLuminance(r, g, b));
    if (c < worst) {
      worst = c;
      if (worst < floor) return worst; // the caller only asks whether it passes
    }
  }
  return worst;
}

/** The lowest contrast of text luminance `lt` over sorted pixel luminances (21 when there are none). */
function worstContrastSorted(sorted: Float64Array, lt: number): number {
  if (sorted.length === 0) return 21;
  let lo = 0;
  let hi = sorted.length; // first index with luminance >= lt
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < lt) lo = mid + 1;
    else hi = mid;
  }
  let worst = 21;
  if (lo < sorted.length) worst = Math.min(worst, contrastRatio(lt, sorted[lo]));
  if (lo > 0) worst = Math.min(worst, contrastRatio(lt, sorted[lo - 1]));
  return worst;
}

export interface TextColourChoice {
  colour: Rgb;
  /** Worst contrast on the sample. */
  contrast: number;
}

/**
 * The best text colour with no scrim. Brand colours win when they pass; white/black come after.
 * Returns null when no candidate reaches the target on these pixels.
 */
export function chooseTextColour(pixels: Uint8Array, brandColours: Rgb[]): TextColourChoice | null {
  // With no scrim, a pixel's contrast with the text depends only on its luminance, and the worst
  // pixel is the one whose luminance is nearest the text's: sort the luminances once, then each
  // candidate colour is a binary search instead of a pass over every pixel.
  const luminances = new Float64Array(pixels.length / 3);
  for (let i = 0, j = 0; i < pixels.length; i += 3, j++) luminances[j] = relativeLuminance(pixels[i], pixels[i + 1], pixels[i + 2]);
  luminances.sort();
  let best: TextColourChoice | null = null;
  for (const group of [brandColours, [[255, 255, 255] as Rgb, [0, 0, 0] as Rgb]]) {
    for (const colour of group) {
      const contrast = worstContrastSorted(luminances, relativeLuminance(colour[0], colour[1], colour[2]));
      if (contrast >= TARGET && (!best || contrast > best.contrast)) best = { colour, contrast };
    }
    if (best) return best;
  }
  return null;
}

export interface ScrimChoice {
  text: Rgb;
  scrim: Rgb;
  alpha: number;
}

/**
 * The lightest-touch scrim (lowest opacity) that makes some text colour pass over these pixels.
 * Scrims come from the brand's darkest/lightest colours or black/white; brand text colours are
 * preferred when they need no more than a slightly stronger scrim.
 */
export function chooseScrim(pixels: Uint8Array, brandColours: Rgb[]): ScrimChoice {
  const white: Rgb = [255, 255, 255];
  const black: Rgb = [0, 0, 0];
  const byLuminance = [...brandColours].sort((a, b) => relativeLuminance(...a) - relativeLuminance(...b));
  const scrims: Rgb[] = [black, white];
  if (byLuminance.length) scrims.push(byLuminance[0], byLuminance[byLuminance.length - 1]);
  const texts: Array<{ colour: Rgb; brand: boolean }> = [
    ...brandColours.map((colour) => ({ colour, brand: true })),
    { colour: white, brand: false },
    { colour: black, brand: false },
  ];
  let best: (ScrimChoice & { cost: number }) | null = null;
  for (const { colour, brand } of texts) {
    for (const scrim of scrims) {
      if (contrastRatio(relativeLuminance(...colour), relativeLuminance(...scrim)) < TARGET + 0.3) continue;
      if (worstContrast(pixels, colour, scrim, 1, TARGET) < TARGET) continue;
      let lo = 0;
      let hi = 1;
      for (let i = 0; i < 12; i++) {
        const mid = (lo + hi) / 2;
        if (worstContrast(pixels, colour, scrim, mid, TARGET) >= TARGET) hi = mid;
        else lo = mid;
      }
      const cost = hi - (brand ? 0.1 : 0);
      if (!best || cost < best.cost) best = { text: colour, scrim, alpha: Math.min(1, hi + 0.03), cost };
    }
  }
  // White on opaque black always passes, so `best` is set.
  const { cost: _cost, ...choice } = best ?? { text: white, scrim: black, alpha: 1, cost: 0 };
  return choice;
}
