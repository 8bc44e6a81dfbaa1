/**
 * A fixture for voice similarity: one brand's copy (a calm, plain-spoken coffee roaster), held-out
 * copy in the same voice, and off-voice copy about the same products (hype, shouting, corporate
 * jargon), so topic words alone cannot tell them apart. Used by voice-similarity.spec.ts and
 * `npm run bench:voice`.
 */
export const RIDGELINE_SAMPLES = [
  'Small-batch coffee, roasted on Monday and at your door by Friday.',
  'Our beans come from three farms we visit every year.',
  'Brew it slow. Taste the ridge in every cup.',
  'Fresh coffee, honest prices, no fuss.',
  'We roast in small lots, so nothing sits on a shelf.',
  'A medium roast with notes of cocoa and dried cherry.',
  'Pick a bag, pick a grind, and we will handle the rest.',
  'Good coffee takes time. We give it that time.',
  'Pause your subscription whenever you like. No forms, no calls.',
  'Every bag says the day it was roasted, right on the front.',
  'Decaf that still tastes like coffee, made with water, not solvents.',
  'Cold brew concentrate, ready in the fridge, gentle on the stomach.',
];

export const RIDGELINE_ON_VOICE = [
  'Roasted on Tuesday, on your porch by Saturday.',
  'Three farms, one roaster, and a cup that tastes of all of them.',
  'A dark roast for slow mornings, with a little smoke and a lot of body.',
  'Skip a month when you need to. We will still be here.',
  'Grind it fine for espresso, coarse for the French press.',
  'We print the roast date on every bag, so you always know.',
  'Gift a bag to someone who likes their mornings quiet.',
  'Oat milk or not, this blend holds its own.',
  'Brew a pot, share a cup, take your time.',
  'Honest beans from people we know by name.',
];

export const RIDGELINE_OFF_VOICE = [
  'OMG!!! The BEST coffee EVER is HERE 🚀🚀 Grab yours NOW!!!',
  'Leverage our synergistic caffeination solutions to maximise stakeholder productivity outcomes.',
  'HUGE SALE!!! 50% OFF ALL BEANS — TODAY ONLY!!! Don’t miss out!!! ☕🔥',
  'Unlock next-level morning performance with our revolutionary, game-changing coffee ecosystem.',
  'You won’t BELIEVE how good this roast is 😱😱 Seriously, it’s insane!!!',
  'Our best-in-class, enterprise-grade beans deliver unparalleled value across all consumption touchpoints.',
  'Coffee?? YES PLEASE!!! 🙌 Tag a friend who NEEDS this!!!',
  'Disrupt your routine! Supercharge your grind! Crush your goals with every sip!',
  'Introducing the world’s most innovative, award-winning, premium artisanal coffee experience!!!',
  'LIMITED DROP 🔥 Cold brew that SLAPS. Get it before it’s GONE!!!',
];
