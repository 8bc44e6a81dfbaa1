/**
 * Colour arithmetic the compositor and the brand check share: hex parsing, WCAG 2.x relative
 * luminance and contrast ratio, and CIELAB distance for palette adherence.
 */
import { ImageError, ImageErrorCode } from './image-error';

export type Rgb = readonly [number, number, number];

export function parseHexColour(hex: string, subject = 'palette'): Rgb {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(hex.trim());
  if (!m) throw new ImageError(ImageErrorCode.INVALID_PALETTE, `"${hex}" is not a #RGB or #RRGGBB colour`, subject);
  let h = m[1];
  if (h.length === 3) h = h.replace(/./g, (c) => c + c);
  return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
}

export function parsePalette(palette: readonly string[]): Rgb[] {
  if (palette.length === 0) throw new ImageError(ImageErrorCode.INVALID_PALETTE, 'the brand palette is empty', 'palette');
  return palette.map((c, i) => parseHexColour(c, `palette[${i}]`));
}

export function toHex([r, g, b]: Rgb): string {
  return `#${[r, g, b].map((v) => Math.round(v).toString(16).padStart(2, '0')).join('')}`.toUpperCase();
}

/** sRGB 8-bit channel → linear light, per WCAG 2.x. */
const LINEAR = Float64Array.from({ length: 256 }, (_, v) => {
  const c = v / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
});

export function relativeLuminance(r: number, g: number, b: number): number {
  return 0.2126 * LINEAR[r] + 0.7152 * LINEAR[g] + 0.0722 * LINEAR[b];
}

export function contrastRatio(l1: number, l2: number): number {
  return l1 > l2 ? (l1 + 0.05) / (l2 + 0.05) : (l2 + 0.05) / (l1 + 0.05);
}

/** The WCAG AA threshold for normal-size text, which ad text must meet everywhere. */
export const MIN_TEXT_CONTRAST = 4.5;

export function rgbToLab(r: number, g: number, b: number): [number, number, number] {
  const lr = LINEAR[r];
  const lg = LINEAR[g];
  const lb = LINEAR[b];
  // D65 white.
  const x = (0.4124564 * lr + 0.3575761 * lg + 0.1804375 * lb) / 0.95047;
  const y = 0.2126729 * lr + 0.7151522 * lg + 0.072175 * lb;
  const z = (0.0193339 * lr + 0.119192 * lg + 0.9503041 * lb) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  const fx = f(x);
  const fy = f(y);
  const fz = f(z);
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIE76 ΔE: about 2.3 is a just-noticeable difference; under ~20 reads as "the same colour family". */
export function deltaE(a: readonly number[], b: readonly number[]): number {
  return Math.hypot(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}
