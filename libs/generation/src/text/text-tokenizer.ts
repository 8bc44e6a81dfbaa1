/**
 * A model's tokenizer and chat template, read from its folder with the maintained libraries
 * (@huggingface/tokenizers for tokenizer.json, @huggingface/jinja for the chat template).
 */
import { Tokenizer } from '@huggingface/tokenizers';
import { Template } from '@huggingface/jinja';
import { GenerationError, GenerationErrorCode } from './generation-error';
import { readModelJson } from '../models/model-store';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

interface TokenizerConfig {
  chat_template?: string | { name: string; template: string }[];
  eos_token?: string | { content: string } | null;
  bos_token?: string | { content: string } | null;
  [key: string]: unknown;
}

const tokenText = (t: string | { content: string } | null | undefined) => (typeof t === 'string' ? t : (t?.content ?? ''));

export class TextTokenizer {
  private readonly tokenizer: Tokenizer;
  private readonly template: Template | null;
  private readonly config: TokenizerConfig;
  readonly vocabSize: number;

  constructor(dir: string) {
    const json = readModelJson<Record<string, unknown>>(dir, 'tokenizer.json')!;
    this.config = readModelJson<TokenizerConfig>(dir, 'tokenizer_config.json', true) ?? {};
    try {
      this.tokenizer = new Tokenizer(json, this.config);
    } catch (error) {
      throw new GenerationError(
        GenerationErrorCode.MODEL_INVALID,
        `tokenizer.json in ${dir} cannot be read: ${(error as Error).message}`,
        'model',
      );
    }
    const raw = this.config.chat_template;
    const source = Array.isArray(raw) ? (raw.find((t) => t.name === 'default') ?? raw[0])?.template : raw;
    this.template = source ? new Template(source) : null;
    // get_vocab() is a Map (Object.keys of it is empty). Ids index per-token tables, so the size
    // is the highest id + 1, added tokens included.
    let size = 0;
    for (const id of this.tokenizer.get_vocab(true).values()) size = Math.max(size, id + 1);
    this.vocabSize = size;
  }

  encode(text: string): number[] {
    return this.tokenizer.encode(text, { add_special_tokens: false }).ids;
  }

  decode(ids: number[], skipSpecial = true): string {
    return this.tokenizer.decode(ids, { skip_special_tokens: skipSpecial, clean_up_tokenization_spaces: false });
  }

  tokenId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  /** Renders messages with the model's chat template (plain "role: content" lines when it has none). */
  applyChatTemplate(messages: ChatMessage[], addGenerationPrompt = true): string {
    if (!this.template) {
      return messages.map((m) => `${m.role}: ${m.content}\n`).join('') + (addGenerationPrompt ? 'assistant: ' : '');
    }
    return this.template.render({
      messages,
      add_generation_prompt: addGenerationPrompt,
      bos_token: tokenText(this.config.bos_token),
      eos_token: tokenText(this.config.eos_token),
    });
  }

  /** The ids of special (added) tokens, which never count as visible text. */
  specialIds(): Set<number> {
    return new Set(this.tokenizer.get_added_tokens_decoder().keys());
  }
}
