/**
 * Wrapping and shrinking ad copy into a box. Copy is never cut off: it is wrapped at spaces,
 * then made smaller, and only if it cannot fit even at the smallest legible size is that an error.
 */
import type { FontFace } from './font-face';

export interface WrappedText {
  lines: string[];
  /** Width of each line in pixels. */
  widths: number[];
  size: number;
  lineHeight: number;
  /** Widest line. */
  width: number;
  /** From the first line's ascender to the last line's descender. */
  height: number;
}

/** Greedy word wrap at `size`; null when a single word is wider than `maxWidth`. */
export function wrapText(face: FontFace, text: string, size: number, maxWidth: number, lineSpacing = 1.15): WrappedText | null {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  const widths: number[] = [];
  let current = '';
  let currentWidth = 0;
  for (const word of words) {
    const candidate = current ? `${current} ${word}` : word;
    const w = face.measure(candidate, size);
    if (w <= maxWidth) {
      current = candidate;
      currentWidth = w;
      continue;
    }
    if (!current) return null; // the word alone is too wide
    lines.push(current);
    widths.push(currentWidth);
    current = word;
    currentWidth = face.measure(word, size);
    if (currentWidth > maxWidth) return null;
  }
  if (current) {
    lines.push(current);
    widths.push(currentWidth);
  }
  const lineHeight = size * lineSpacing;
  const height = lines.length === 0 ? 0 : face.ascent(size) + face.descent(size) + (lines.length - 1) * lineHeight;
  return { lines, widths, size, lineHeight, width: Math.max(0, ...widths), height };
}
