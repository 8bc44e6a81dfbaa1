/**
 * Two sets of 50 ads (headline + description, as a Google Ads export has them), each written with
 * known rules, for learn-voice.spec.ts:
 * - Ridgeline (coffee): title-case headlines, contractions, no exclamation marks, no emoji, the
 *   Oxford comma;
 * - Snackle (snacks): sentence-case headlines, exclamation marks and emoji, no contractions, no
 *   Oxford comma.
 */
export interface FixtureAd {
  headline: string;
  description: string;
}

const RIDGELINE_PRODUCTS = [
  'Cold Brew',
  'Dark Roast',
  'Decaf',
  'Espresso Blend',
  'House Blend',
  'Light Roast',
  'Oat Latte Mix',
  'Single Origin',
  'Mocha Beans',
  'Breakfast Blend',
];
const RIDGELINE_HOOKS = ['Roasted This Week', 'at Your Door', 'from Family Farms', 'for Slow Mornings', 'in Bigger Bags'];
const RIDGELINE_LINES = [
  (p: string) => `We're roasting our ${p.toLowerCase()} in small lots, and it's at your door in days.`,
  (p: string) => `Notes of cocoa, cherry, and toasted almond. You'll taste the ridge in our ${p.toLowerCase()}.`,
  () => `Pick a grind, a bag size, and a schedule. We'll handle the rest.`,
  (p: string) => `Our ${p.toLowerCase()} doesn't sit on a shelf. It's roasted, packed, and shipped the same week.`,
  () => `Pause, skip, or cancel anytime. There's no form and no call.`,
];

const SNACKLE_PRODUCTS = [
  'Sea salt chips',
  'Cheddar puffs',
  'Veggie straws',
  'Pretzel bites',
  'Kettle corn',
  'Rice crackers',
  'Apple crisps',
  'Trail mix',
  'Popcorn',
  'Nacho rounds',
];
const SNACKLE_HOOKS = ['are back in stock', 'for every lunchbox', 'with zero fuss', 'now in party size', 'for road trips'];
const SNACKLE_LINES = [
  (p: string) => `Crunchy, salty and totally snackable! Grab your ${p.toLowerCase()} today 🍿`,
  () => `Made with real cheese, sea salt and sunflower oil! We think you will love them 😋`,
  (p: string) => `Perfect for school, work and weekend trips! Order ${p.toLowerCase()} now 🎉`,
  (p: string) => `Big flavour, small price! Stock up on ${p.toLowerCase()} and save 🙌`,
  () => `Baked not fried, gluten free and vegan! You are going to want seconds 🥳`,
];

function ads(products: string[], hooks: string[], lines: ((p: string) => string)[]): FixtureAd[] {
  const out: FixtureAd[] = [];
  products.forEach((product, i) =>
    hooks.forEach((hook, j) => out.push({ headline: `${product} ${hook}`, description: lines[(i + j) % lines.length](product) })),
  );
  return out;
}

export const RIDGELINE_ADS = ads(RIDGELINE_PRODUCTS, RIDGELINE_HOOKS, RIDGELINE_LINES);
export const SNACKLE_ADS = ads(SNACKLE_PRODUCTS, SNACKLE_HOOKS, SNACKLE_LINES);
export const adTexts = (list: FixtureAd[]) => list.flatMap((ad) => [ad.headline, ad.description]);
