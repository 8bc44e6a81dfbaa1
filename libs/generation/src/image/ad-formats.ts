import { ImageError, ImageErrorCode } from './image-error';

/**
 * The ad formats the compositor renders. The ids are the values of the API's `AdFormat`
 * GraphQL enum, so they are stable, upper-case and never renamed.
 */
export type AdFormatId = 'SQUARE' | 'LANDSCAPE' | 'PORTRAIT' | 'STORY' | 'MEDIUM_RECTANGLE' | 'LEADERBOARD' | 'WIDE_SKYSCRAPER';

/** How text, logo and CTA are arranged: stacked at the bottom, or in one row (thin banners). */
export type AdLayout = 'stacked' | 'row';

export interface AdFormat {
  id: AdFormatId;
  label: string;
  width: number;
  height: number;
  layout: AdLayout;
  /**
   * Share of the height at the top and bottom that platform UI covers (Stories / Reels); text and
   * logo stay out of it.
   */
  safeZone: { top: number; bottom: number };
  /** Headline size in pixels before shrinking to fit; subline and CTA are derived from it. */
  headlineSize: number;
}

const noSafeZone = { top: 0, bottom: 0 };

export const AD_FORMATS: Readonly<Record<AdFormatId, AdFormat>> = Object.freeze({
  SQUARE: { id: 'SQUARE', label: 'Square 1080×1080', width: 1080, height: 1080, layout: 'stacked', safeZone: noSafeZone, headlineSize: 80 },
  LANDSCAPE: {
    id: 'LANDSCAPE',
    label: 'Landscape 1200×628',
    width: 1200,
    height: 628,
    layout: 'stacked',
    safeZone: noSafeZone,
    headlineSize: 64,
  },
  PORTRAIT: {
    id: 'PORTRAIT',
    label: 'Portrait 1080×1350',
    width: 1080,
    height: 1350,
    layout: 'stacked',
    safeZone: noSafeZone,
    headlineSize: 84,
  },
  STORY: {
    id: 'STORY',
    label: 'Story 1080×1920',
    width: 1080,
    height: 1920,
    layout: 'stacked',
    safeZone: { top: 0.14, bottom: 0.2 },
    headlineSize: 92,
  },
  MEDIUM_RECTANGLE: {
    id: 'MEDIUM_RECTANGLE',
    label: 'Display 300×250',
    width: 300,
    height: 250,
    layout: 'stacked',
    safeZone: noSafeZone,
    headlineSize: 28,
  },
  LEADERBOARD: {
    id: 'LEADERBOARD',
    label: 'Display 728×90',
    width: 728,
    height: 90,
    layout: 'row',
    safeZone: noSafeZone,
    headlineSize: 26,
  },
  WIDE_SKYSCRAPER: {
    id: 'WIDE_SKYSCRAPER',
    label: 'Display 160×600',
    width: 160,
    height: 600,
    layout: 'stacked',
    safeZone: noSafeZone,
    headlineSize: 24,
  },
});

/** In a stable order, for GraphQL `registerEnumType` and for "all formats" requests. */
export const AD_FORMAT_IDS = Object.keys(AD_FORMATS) as AdFormatId[];

export function adFormat(id: string): AdFormat {
  const format = (AD_FORMATS as Record<string, AdFormat | undefined>)[id];
  if (!format) {
    throw new ImageError(ImageErrorCode.UNKNOWN_FORMAT, `unknown ad format "${id}" (known: ${AD_FORMAT_IDS.join(', ')})`, id);
  }
  return format;
}
