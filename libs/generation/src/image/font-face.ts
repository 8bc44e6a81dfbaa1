/**
 * Fonts for ad text, turned into SVG paths with opentype.js so rendering needs no system fonts
 * and looks the same on every worker.
 *
 * The bundled face is Inter (SIL OFL) from @fontsource/inter, which ships WOFF and WOFF2 only:
 * opentype.js reads WOFF (zlib) but not WOFF2 (Brotli), so the WOFF files are used. Glyphs are
 * laid out here (cmap lookup + GPOS/kern kerning) rather than with `font.getPath`, because
 * opentype.js 2.0's shaper throws on Inter's chained-context `ccmp` lookups (GSUB 6.2); Latin ad
 * copy needs no shaping beyond kerning.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ImageError, ImageErrorCode } from './image-error';

interface OpentypePath {
  toPathData(decimalPlaces?: number): string;
}
interface OpentypeGlyph {
  index: number;
  advanceWidth?: number;
  getPath(x: number, y: number, fontSize: number): OpentypePath;
}
interface OpentypePosition {
  getKerningTables(script?: string, language?: string): unknown;
  getKerningValue(tables: unknown, left: number, right: number): number;
  getDefaultScriptName(): string;
}
interface OpentypeFont {
  unitsPerEm: number;
  ascender: number;
  descender: number;
  glyphs: { get(index: number): OpentypeGlyph };
  charToGlyphIndex(char: string): number;
  getKerningValue(left: OpentypeGlyph, right: OpentypeGlyph): number;
  position?: OpentypePosition;
}
interface OpentypeModule {
  parse(buffer: ArrayBuffer): OpentypeFont;
}
// opentype.js ships no type declarations; this is the slice of its API used here.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const opentype: OpentypeModule = require('opentype.js');

export type FontSource = string | Buffer;

interface LoadedFont {
  font: OpentypeFont;
  kerning: unknown;
}

/** One typeface as a fallback chain: the first font that has a glyph for a character draws it. */
export class FontFace {
  private readonly fonts: LoadedFont[];

  constructor(
    readonly family: string,
    fonts: OpentypeFont[],
  ) {
    this.fonts = fonts.map((font) => {
      let kerning: unknown;
      try {
        kerning = font.position?.getKerningTables(font.position.getDefaultScriptName()) ?? null;
      } catch {
        kerning = null; // a font without GPOS kerning falls back to its kern table
      }
      return { font, kerning };
    });
  }

  /** Ascender above the baseline, in pixels at `size`. */
  ascent(size: number): number {
    const f = this.fonts[0].font;
    return (f.ascender / f.unitsPerEm) * size;
  }

  /** Descender below the baseline (positive), in pixels at `size`. */
  descent(size: number): number {
    const f = this.fonts[0].font;
    return (-f.descender / f.unitsPerEm) * size;
  }

  private layout(text: string, size: number, each?: (loaded: LoadedFont, glyph: OpentypeGlyph, x: number) => void): number {
    let x = 0;
    let prev: { loaded: LoadedFont; glyph: OpentypeGlyph } | null = null;
    for (const char of text) {
      const loaded = this.fonts.find((f) => f.font.charToGlyphIndex(char) > 0) ?? this.fonts[0];
      const glyph = loaded.font.glyphs.get(loaded.font.charToGlyphIndex(char));
      const scale = size / loaded.font.unitsPerEm;
      if (prev && prev.loaded === loaded) x += this.kern(loaded, prev.glyph, glyph) * scale;
      each?.(loaded, glyph, x);
      x += (glyph.advanceWidth ?? 0) * scale;
      prev = { loaded, glyph };
    }
    return x;
  }

  private kern(loaded: LoadedFont, left: OpentypeGlyph, right: OpentypeGlyph): number {
    try {
      return loaded.kerning && loaded.font.position
        ? loaded.font.position.getKerningValue(loaded.kerning, left.index, right.index)
        : loaded.font.getKerningValue(left, right);
    } catch {
      return 0;
    }
  }

  /** Advance width of `text` in pixels at `size`. */
  measure(text: string, size: number): number {
    return this.layout(text, size);
  }

  /** SVG path data for `text` with its baseline starting at (x, y). */
  pathData(text: string, x: number, y: number, size: number): string {
    const parts: string[] = [];
    this.layout(text, size, (_loaded, glyph, dx) => {
      const d = glyph.getPath(x + dx, y, size).toPathData(2);
      if (d) parts.push(d);
    });
    return parts.join('');
  }
}

function parseFont(bytes: Buffer, subject: string): OpentypeFont {
  try {
    return opentype.parse(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  } catch (err) {
    throw new ImageError(
      ImageErrorCode.FONT_UNREADABLE,
      `font ${subject} cannot be read (TTF, OTF and WOFF are supported, WOFF2 is not): ${(err as Error).message}`,
      subject,
    );
  }
}

/** Loads a TTF/OTF/WOFF font from a path or bytes. */
export function loadFontFace(family: string, source: FontSource): FontFace {
  if (typeof source === 'string') {
    if (!existsSync(source)) throw new ImageError(ImageErrorCode.FONT_NOT_FOUND, `font file ${source} does not exist`, source);
    return new FontFace(family, [parseFont(readFileSync(source), source)]);
  }
  return new FontFace(family, [parseFont(source, `"${family}"`)]);
}

export const BUNDLED_FONT_FAMILY = 'Inter';
export type BundledWeight = 400 | 600 | 700;

const bundled = new Map<BundledWeight, FontFace>();

/** Inter at a weight, Latin then Latin Extended (covers Western and Central European copy). */
export function bundledFontFace(weight: BundledWeight): FontFace {
  let face = bundled.get(weight);
  if (!face) {
    const fonts = ['latin', 'latin-ext'].map((subset) => {
      const file = require.resolve(`@fontsource/inter/files/inter-${subset}-${weight}-normal.woff`);
      return parseFont(readFileSync(file), file);
    });
    face = new FontFace(BUNDLED_FONT_FAMILY, fonts);
    bundled.set(weight, face);
  }
  return face;
}
