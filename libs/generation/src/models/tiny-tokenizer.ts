/**
 * Builds a real byte-level BPE tokenizer.json (the GPT-2 / Qwen format that the `tokenizers`
 * libraries read) by training merges on a small built-in marketing corpus. Byte-level means every
 * string round-trips, including emoji and accents, exactly as with a real model's tokenizer.
 */

/** Special tokens of the ChatML template the tiny models use, as Qwen-style models do. */
export const SPECIAL_TOKENS = ['<|endoftext|>', '<|im_start|>', '<|im_end|>'] as const;

export const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const CORPUS = `
Meet the fastest way to plan your week. Save time, stay focused, and get more done with less effort.
Fresh coffee delivered to your door every morning. Roasted this week, brewed in minutes.
Our new running shoes are light, strong, and made for long days on the road.
Try it free for thirty days. No credit card required. Cancel anytime.
Discover simple tools for small teams that want to grow without the busywork.
Built for marketers who care about every word. Write better ads in your brand's voice.
Shop the summer collection today and enjoy free shipping on orders over fifty dollars.
The smarter way to manage your money: track spending, set goals, and save automatically.
Join thousands of happy customers who switched to a cleaner, greener home.
Your data stays private and secure. We never sell it, and we never will.
Get started in minutes with templates made by experts. Launch your campaign today.
Quality you can feel, prices you can trust, and service that puts you first.
Learn more about our award-winning support team, available every day of the year.
Upgrade your kitchen with tools that last. Designed in Portland, made to be used.
Sign up for our newsletter and get ten percent off your first order.
Healthy meals, ready when you are. Fresh ingredients, bold flavors, zero stress.
Find the perfect gift for everyone on your list, from cozy socks to smart speakers.
Book your next trip with confidence: flexible dates, clear prices, and real people to help.
Headline: Work smarter, not harder. Description: Automate reports and focus on growth.
Subject: Your weekly picks are here. Preheader: Handpicked deals, just for you.
We are confident but not arrogant, warm but not cute, clear but never boring.
Cheap tricks are not our style; honest value is. Affordable plans for every team.
Premium materials, thoughtful design, and a lifetime warranty on every product.
Write, test, and launch campaigns across search, social, and email in one place.
Reach the right people at the right time with ads that sound like you.
Emoji 🚀 and accents like café, naïve, and jalapeño must round-trip too. 100% guaranteed — 24/7.
`;

/** GPT-2's reversible map from bytes to printable unicode characters. */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (let b = 33; b <= 126; b++) printable.push(b);
  for (let b = 161; b <= 172; b++) printable.push(b);
  for (let b = 174; b <= 255; b++) printable.push(b);
  const table = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    if (printable.includes(b)) table[b] = String.fromCharCode(b);
    else table[b] = String.fromCharCode(256 + extra++);
  }
  return table;
}

/** The GPT-2 pre-tokenizer split (what the ByteLevel pre-tokenizer with use_regex does). */
const PRE_TOKENIZE = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

export interface TinyTokenizerFiles {
  tokenizerJson: Record<string, unknown>;
  tokenizerConfig: Record<string, unknown>;
  vocabSize: number;
  specialIds: Record<(typeof SPECIAL_TOKENS)[number], number>;
}

/**
 * Trains up to `merges` BPE merges on the built-in corpus (plus `extraText`, e.g. terms a test
 * wants as single tokens) and returns tokenizer.json and tokenizer_config.json contents.
 */
export function buildTinyTokenizer(options: { merges?: number; extraText?: string } = {}): TinyTokenizerFiles {
  const byteChar = bytesToUnicode();
  const wordCounts = new Map<string, number>();
  const text = CORPUS + (options.extraText ?? '');
  for (const match of text.matchAll(PRE_TOKENIZE)) {
    const mapped = Array.from(Buffer.from(match[0], 'utf8'), (b) => byteChar[b]).join('');
    wordCounts.set(mapped, (wordCounts.get(mapped) ?? 0) + 1);
  }
  const words = [...wordCounts].map(([w, count]) => ({ symbols: Array.from(w), count }));

  const vocab: Record<string, number> = {};
  for (const ch of byteChar) vocab[ch] = Object.keys(vocab).length;
  const merges: string[] = [];
  const target = options.merges ?? 1000;
  while (merges.length < target) {
    const pairs = new Map<string, number>();
    for (const { symbols, count } of words) {
      for (let i = 0; i < symbols.length - 1; i++) {
        const key = symbols[i] + ' ' + symbols[i + 1];
        pairs.set(key, (pairs.get(key) ?? 0) + count);
      }
    }
    let best = '';
    let bestCount = 0;
    for (const [key, count] of pairs) {
      // Ties break by the pair's text so the same corpus always gives the same tokenizer.
      if (count > bestCount || (count === bestCount && key < best)) {
        best = key;
        bestCount = count;
      }
    }
    if (bestCount < 1 || !best) break;
    const [a, b] = best.split(' ');
    const merged = a + b;
    if (vocab[merged] !== undefined) break;
    merges.push(best);
    vocab[merged] = Object.keys(vocab).length;
    for (const word of words) {
      const s = word.symbols;
      const out: string[] = [];
      for (let i = 0; i < s.length; i++) {
        if (i < s.length - 1 && s[i] === a && s[i + 1] === b) {
          out.push(merged);
          i++;
        } else out.push(s[i]);
      }
      word.symbols = out;
    }
  }

  const baseSize = Object.keys(vocab).length;
  const specialIds = {} as TinyTokenizerFiles['specialIds'];
  const addedTokens = SPECIAL_TOKENS.map((content, i) => {
    specialIds[content] = baseSize + i;
    return { id: baseSize + i, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  });

  const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
  const tokenizerJson = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: addedTokens,
    normalizer: null,
    pre_tokenizer: byteLevel,
    post_processor: { ...byteLevel, trim_offsets: false },
    decoder: byteLevel,
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab,
      merges,
    },
  };
  const tokenizerConfig = {
    tokenizer_class: 'GPT2Tokenizer',
    add_bos_token: false,
    add_prefix_space: false,
    bos_token: null,
    eos_token: '<|im_end|>',
    pad_token: '<|endoftext|>',
    unk_token: null,
    model_max_length: 1024,
    clean_up_tokenization_spaces: false,
    chat_template: CHATML_TEMPLATE,
    added_tokens_decoder: Object.fromEntries(addedTokens.map((t) => [String(t.id), { ...t, id: undefined }])),
  };
  return { tokenizerJson, tokenizerConfig, vocabSize: baseSize + SPECIAL_TOKENS.length, specialIds };
}
