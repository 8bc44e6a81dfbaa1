/**
 * CLIP's BPE tokenizer, as Stable Diffusion uses it: lower-cased, byte-level BPE with a `</w>`
 * end-of-word suffix, wrapped in <|startoftext|> … <|endoftext|> and padded/truncated to 77.
 *
 * The BPE itself is @huggingface/tokenizers. Diffusers repos usually ship only the slow
 * tokenizer's vocab.json + merges.txt, so those are assembled into the tokenizer.json that
 * `transformers.CLIPTokenizerFast` would produce from them; a tokenizer.json is used as is.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { ImageError, ImageErrorCode } from '../image-error';

export const CLIP_BOS = '<|startoftext|>';
export const CLIP_EOS = '<|endoftext|>';
/** The pre-tokenizer split of CLIPTokenizerFast. */
const CLIP_SPLIT = "<\\|startoftext\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

interface TokenizerConfigJson {
  model_max_length?: number;
  pad_token?: string | { content: string } | null;
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (err) {
    throw new ImageError(ImageErrorCode.MODEL_PART_MISSING, `${path} cannot be read: ${(err as Error).message}`, path);
  }
}

/** tokenizer.json contents equivalent to CLIPTokenizerFast built from vocab.json + merges.txt. */
export function clipTokenizerJson(vocab: Record<string, number>, merges: string[]): Record<string, unknown> {
  const special = (content: string) => ({
    id: vocab[content],
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: true,
    special: true,
  });
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: [special(CLIP_BOS), special(CLIP_EOS)],
    normalizer: {
      type: 'Sequence',
      normalizers: [{ type: 'NFC' }, { type: 'Replace', pattern: { Regex: '\\s+' }, content: ' ' }, { type: 'Lowercase' }],
    },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: CLIP_SPLIT }, behavior: 'Removed', invert: true },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: false },
      ],
    },
    post_processor: {
      type: 'RobertaProcessing',
      sep: [CLIP_EOS, vocab[CLIP_EOS]],
      cls: [CLIP_BOS, vocab[CLIP_BOS]],
      trim_offsets: false,
      add_prefix_space: false,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: CLIP_EOS,
      continuing_subword_prefix: '',
      end_of_word_suffix: '</w>',
      fuse_unk: false,
      byte_fallback: false,
      vocab,
      merges,
    },
  };
}

export class ClipTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly maxLength: number,
    readonly bosId: number,
    readonly eosId: number,
    readonly padId: number,
    readonly vocabSize: number,
  ) {}

  /** Loads `<model>/tokenizer/`: tokenizer.json, or vocab.json + merges.txt. */
  static load(dir: string): ClipTokenizer {
    const config = existsSync(join(dir, 'tokenizer_config.json')) ? readJson<TokenizerConfigJson>(join(dir, 'tokenizer_config.json')) : {};
    let json: Record<string, unknown>;
    let vocab: Record<string, number>;
    if (existsSync(join(dir, 'tokenizer.json'))) {
      json = readJson(join(dir, 'tokenizer.json'));
      vocab = (json.model as { vocab: Record<string, number> }).vocab;
    } else if (existsSync(join(dir, 'vocab.json')) && existsSync(join(dir, 'merges.txt'))) {
      vocab = readJson(join(dir, 'vocab.json'));
      const merges = readFileSync(join(dir, 'merges.txt'), 'utf8')
        .split('\n')
        .filter((line, i) => line.trim() && !(i === 0 && line.startsWith('#version')));
      json = clipTokenizerJson(vocab, merges);
    } else {
      throw new ImageError(ImageErrorCode.MODEL_PART_MISSING, `${dir} has neither tokenizer.json nor vocab.json + merges.txt`, 'tokenizer');
    }
    const bos = vocab[CLIP_BOS];
    const eos = vocab[CLIP_EOS];
    if (bos === undefined || eos === undefined) {
      throw new ImageError(
        ImageErrorCode.MODEL_SIGNATURE_MISMATCH,
        `${dir} is not a CLIP tokenizer (no ${CLIP_BOS} / ${CLIP_EOS})`,
        'tokenizer',
      );
    }
    const padToken = typeof config.pad_token === 'string' ? config.pad_token : config.pad_token?.content;
    const pad = padToken !== undefined && vocab[padToken] !== undefined ? vocab[padToken] : eos;
    const maxLength = config.model_max_length && config.model_max_length < 10000 ? config.model_max_length : 77;
    const size = Math.max(...Object.values(vocab)) + 1;
    return new ClipTokenizer(new Tokenizer(json, config), maxLength, bos, eos, pad, size);
  }

  /** Ids of `text`, with start/end tokens, truncated (keeping the end token) and padded to maxLength. */
  encode(text: string): number[] {
    let ids = this.tokenizer.encode(text).ids.map(Number);
    if (ids[0] !== this.bosId) ids = [this.bosId, ...ids, this.eosId];
    if (ids.length > this.maxLength) ids = [...ids.slice(0, this.maxLength - 1), this.eosId];
    while (ids.length < this.maxLength) ids.push(this.padId);
    return ids;
  }
}
