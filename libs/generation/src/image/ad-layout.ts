/**
 * Where the logo, headline, subline and CTA button go in one ad format. Pure geometry: colours
 * are chosen later, against the pixels that end up under each element.
 *
 * Text is sized by one shared scale so the hierarchy (headline > subline > CTA) survives
 * shrinking: first within line limits down to a legible size, then with unlimited lines down to
 * a hard floor; beyond that the copy is rejected rather than clipped.
 */
import type { AdFormat } from './ad-formats';
import type { FontFace } from './font-face';
import { ImageError, ImageErrorCode } from './image-error';
import { wrapText, type WrappedText } from './text-layout';

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export type TextRole = 'headline' | 'subline' | 'cta';

export interface PlacedText {
  role: TextRole;
  face: FontFace;
  wrapped: WrappedText;
  /** Top-left of the text's ink box (first line's ascender to last line's descender). */
  box: Box;
  align: 'left' | 'center';
}

export interface AdLayoutPlan {
  format: AdFormat;
  logo: Box | null;
  texts: PlacedText[];
  button: { box: Box; radius: number } | null;
  /** The area that copy (not the button) occupies, where a scrim would go. */
  copyBlock: Box | null;
}

export interface AdCopy {
  headline: string;
  subline?: string | null;
  cta?: string | null;
}

export interface AdFaces {
  heading: FontFace;
  body: FontFace;
}

/** Smallest text size that still reads on a display banner, before line limits are dropped. */
const LEGIBLE_MIN = 10;
/** Hard floor: copy that does not fit at this size is rejected. */
const FLOOR = 6;

interface SizedCopy {
  headline: WrappedText;
  subline: WrappedText | null;
  cta: { label: WrappedText; width: number; height: number; padX: number } | null;
}

function sizeCopy(copy: AdCopy, faces: AdFaces, headlineSize: number, textWidth: number, limitLines: boolean): SizedCopy | null {
  const headline = wrapText(faces.heading, copy.headline, headlineSize, textWidth, 1.1);
  if (!headline || (limitLines && headline.lines.length > 3)) return null;
  let subline: WrappedText | null = null;
  if (copy.subline?.trim()) {
    subline = wrapText(faces.body, copy.subline, Math.max(headlineSize * 0.5, FLOOR), textWidth, 1.3);
    if (!subline || (limitLines && subline.lines.length > 4)) return null;
  }
  let cta: SizedCopy['cta'] = null;
  if (copy.cta?.trim()) {
    const size = Math.max(headlineSize * 0.46, FLOOR);
    const padX = size * 0.9;
    const label = wrapText(faces.heading, copy.cta, size, textWidth - 2 * padX, 1.1);
    if (!label || (limitLines && label.lines.length > 1)) return null;
    cta = { label, padX, width: label.width + 2 * padX, height: label.height + size * 1.1 };
  }
  return { headline, subline, cta };
}

function blockHeight(s: SizedCopy, gapScale: number): { copy: number; total: number } {
  const h = s.headline.size;
  let copy = s.headline.height;
  if (s.subline) copy += h * 0.35 * gapScale + s.subline.height;
  const total = copy + (s.cta ? h * 0.55 * gapScale + s.cta.height : 0);
  return { copy, total };
}

/** Shrinks the shared scale until `fits` accepts the sized copy; throws when even the floor fails. */
function fitCopy(
  copy: AdCopy,
  faces: AdFaces,
  baseSize: number,
  /** Width the copy may wrap to at a headline size. */
  widthFor: (headlineSize: number) => number,
  fits: (s: SizedCopy) => boolean,
  format: AdFormat,
): SizedCopy {
  for (const limitLines of [true, false]) {
    const min = limitLines ? Math.min(LEGIBLE_MIN, baseSize) : FLOOR;
    for (let size = baseSize; size >= min; size *= 0.94) {
      const sized = sizeCopy(copy, faces, size, widthFor(size), limitLines);
      if (sized && fits(sized)) return sized;
    }
  }
  throw new ImageError(
    ImageErrorCode.TEXT_DOES_NOT_FIT,
    `the copy does not fit the ${format.id} format (${format.width}×${format.height}) even at ${FLOOR}px; shorten the headline or subline`,
    'headline',
  );
}

function placeText(
  role: TextRole,
  face: FontFace,
  wrapped: WrappedText,
  x: number,
  y: number,
  width: number,
  align: 'left' | 'center',
): PlacedText {
  const left = align === 'center' ? x + (width - wrapped.width) / 2 : x;
  return { role, face, wrapped, align, box: { x: left, y, width: wrapped.width, height: wrapped.height } };
}

function stackedLayout(format: AdFormat, copy: AdCopy, faces: AdFaces, logoAspect: number | null): AdLayoutPlan {
  const { width: W, height: H } = format;
  const margin = Math.max(8, Math.round(0.06 * Math.min(W, H)));
  const top = Math.round(H * format.safeZone.top) + margin;
  const bottom = H - Math.round(H * format.safeZone.bottom) - margin;
  const align: 'left' | 'center' = W < 400 ? 'center' : 'left';

  let logo: Box | null = null;
  let textTop = top;
  if (logoAspect) {
    const lh = Math.round(Math.min(Math.max(0.085 * Math.min(W, H), 16), 120));
    const lw = Math.min(Math.round(lh * logoAspect), W - 2 * margin, lh * 4);
    const lhFitted = Math.round(lw / logoAspect);
    logo = { x: align === 'center' ? Math.round((W - lw) / 2) : margin, y: top, width: lw, height: lhFitted };
    textTop = top + lhFitted + margin;
  }
  const textWidth = W / H > 1.5 ? Math.round(W * 0.62) : W - 2 * margin;
  const available = bottom - textTop;
  const gapScale = 1;
  const sized = fitCopy(
    copy,
    faces,
    format.headlineSize,
    () => textWidth,
    (s) => blockHeight(s, gapScale).total <= available,
    format,
  );

  const heights = blockHeight(sized, gapScale);
  let y = bottom - heights.total;
  const texts: PlacedText[] = [];
  texts.push(placeText('headline', faces.heading, sized.headline, margin, y, textWidth, align));
  y += sized.headline.height;
  if (sized.subline) {
    y += sized.headline.size * 0.35;
    texts.push(placeText('subline', faces.body, sized.subline, margin, y, textWidth, align));
    y += sized.subline.height;
  }
  const copyBlock = unionBox(texts.map((t) => t.box));
  let button: AdLayoutPlan['button'] = null;
  if (sized.cta) {
    y += sized.headline.size * 0.55;
    const bx = align === 'center' ? margin + (textWidth - sized.cta.width) / 2 : margin;
    button = { box: { x: bx, y, width: sized.cta.width, height: sized.cta.height }, radius: sized.cta.height * 0.22 };
    texts.push(buttonLabel(faces, sized.cta, button.box));
  }
  return { format, logo, texts, button, copyBlock };
}

function buttonLabel(faces: AdFaces, cta: NonNullable<SizedCopy['cta']>, box: Box): PlacedText {
  const label = cta.label;
  return {
    role: 'cta',
    face: faces.heading,
    wrapped: label,
    align: 'center',
    box: { x: box.x + (box.width - label.width) / 2, y: box.y + (box.height - label.height) / 2, width: label.width, height: label.height },
  };
}

/** Thin banners (728×90): logo left, copy in the middle, button right, all vertically centred. */
function rowLayout(format: AdFormat, copy: AdCopy, faces: AdFaces, logoAspect: number | null): AdLayoutPlan {
  const { width: W, height: H } = format;
  const margin = Math.max(8, Math.round(0.12 * H));
  let left = margin;
  let logo: Box | null = null;
  if (logoAspect) {
    const lh = H - 2 * margin;
    const lw = Math.min(Math.round(lh * logoAspect), Math.round(W * 0.2));
    const lhFitted = Math.round(lw / logoAspect);
    logo = { x: margin, y: Math.round((H - lhFitted) / 2), width: lw, height: lhFitted };
    left = margin + lw + margin;
  }
  // The button sits right of the copy, so the copy wraps to what the button leaves.
  const ctaText = copy.cta?.trim() ?? '';
  const widthAt = (size: number) => {
    const ctaSize = Math.max(size * 0.46, FLOOR);
    const reserve = ctaText ? faces.heading.measure(ctaText, ctaSize) + 1.8 * ctaSize + margin : 0;
    return Math.max(1, W - left - margin - reserve);
  };
  const sized = fitCopy(
    copy,
    faces,
    format.headlineSize,
    widthAt,
    (s) => blockHeight({ ...s, cta: null }, 0.6).copy <= H - margin && (!s.cta || s.cta.height <= H - margin),
    format,
  );
  const textWidth = widthAt(sized.headline.size);
  const copyHeight = blockHeight({ ...sized, cta: null }, 0.6).copy;
  let y = (H - copyHeight) / 2;
  const texts: PlacedText[] = [placeText('headline', faces.heading, sized.headline, left, y, textWidth, 'left')];
  y += sized.headline.height;
  if (sized.subline) {
    y += sized.headline.size * 0.35 * 0.6;
    texts.push(placeText('subline', faces.body, sized.subline, left, y, textWidth, 'left'));
  }
  const copyBlock = unionBox(texts.map((t) => t.box));
  let button: AdLayoutPlan['button'] = null;
  if (sized.cta) {
    const box = { x: W - margin - sized.cta.width, y: (H - sized.cta.height) / 2, width: sized.cta.width, height: sized.cta.height };
    button = { box, radius: sized.cta.height * 0.22 };
    texts.push(buttonLabel(faces, sized.cta, box));
  }
  return { format, logo, texts, button, copyBlock };
}

export function unionBox(boxes: Box[]): Box | null {
  if (boxes.length === 0) return null;
  const x0 = Math.min(...boxes.map((b) => b.x));
  const y0 = Math.min(...boxes.map((b) => b.y));
  const x1 = Math.max(...boxes.map((b) => b.x + b.width));
  const y1 = Math.max(...boxes.map((b) => b.y + b.height));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/** `logoAspect` is the logo's width / height, or null when the brand has no logo. */
export function planAdLayout(format: AdFormat, copy: AdCopy, faces: AdFaces, logoAspect: number | null): AdLayoutPlan {
  if (!copy.headline?.trim()) throw new ImageError(ImageErrorCode.INVALID_REQUEST, 'an ad needs a headline', 'headline');
  return format.layout === 'row' ? rowLayout(format, copy, faces, logoAspect) : stackedLayout(format, copy, faces, logoAspect);
}
