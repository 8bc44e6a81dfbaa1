/**
 * Fits a copy prompt into the model's context before anything is generated. The prompt plus the
 * channel's maxNewTokens must fit in the model's positions. When they do not, in this order:
 *   1. example copy is dropped, longest first (each example also repeats the brief);
 *   2. the soft voice lines are told in fewer words (SOFT_LINES);
 *   3. the request is refused with PROMPT_TOO_LONG, naming what to cut and by how much.
 * Hard rules (required and banned terms, limits, style rules) are never cut: decoding relies on
 * them and the voice report checks them.
 */
import type { ChatMessage } from '../text/text-tokenizer';
import { GenerationError, GenerationErrorCode } from '../text/generation-error';
import { buildCopyPrompt, channelExamples, SOFT_LINES, type CopyBrief, type SoftLine } from './copy-prompt';

export interface TokenBudget {
  /** The model's positions (prompt + generated tokens). */
  contextLength: number;
  /** Tokens of these messages as the model sees them (chat template applied). */
  countTokens(messages: ChatMessage[]): Promise<number>;
}

export interface BudgetedPrompt {
  messages: ChatMessage[];
  promptTokens: number;
  /** Example copy in the prompt. */
  examplesUsed: string[];
  /** Example copy left out so the prompt fits, longest first. */
  examplesDropped: string[];
  /** Soft voice lines told in fewer words so the prompt fits. */
  shortened: SoftLine[];
}

export async function budgetCopyPrompt(input: CopyBrief, maxNewTokens: number, budget: TokenBudget): Promise<BudgetedPrompt> {
  const room = budget.contextLength - maxNewTokens;
  let examples = input.examples ?? channelExamples(input.brand, input.channel);
  const dropped: string[] = [];
  const shortened: SoftLine[] = [];
  const attempt = async () => {
    const messages = buildCopyPrompt({ ...input, examples, shortened });
    return { messages, promptTokens: await budget.countTokens(messages) };
  };
  let prompt = await attempt();
  while (prompt.promptTokens > room && examples.length > 0) {
    const longest = examples.reduce((a, b) => (b.length > a.length ? b : a));
    examples = examples.filter((e) => e !== longest);
    dropped.push(longest);
    prompt = await attempt();
  }
  for (const line of SOFT_LINES) {
    if (prompt.promptTokens <= room) break;
    shortened.push(line);
    prompt = await attempt();
  }
  if (prompt.promptTokens > room) throw await tooLong(input, prompt.promptTokens, room, maxNewTokens, budget);
  return { ...prompt, examplesUsed: examples, examplesDropped: dropped, shortened };
}

/** PROMPT_TOO_LONG naming the biggest parts the user can cut, with their sizes. */
async function tooLong(
  input: CopyBrief,
  tokens: number,
  room: number,
  maxNewTokens: number,
  budget: TokenBudget,
): Promise<GenerationError> {
  const { brand } = input;
  const size = async (text: string) => (text ? budget.countTokens([{ role: 'user', content: text }]) : 0);
  const empty = await size(' ');
  const part = async (name: string, field: string, text: string) => ({ name, field, tokens: Math.max(0, (await size(text)) - empty) });
  const parts = await Promise.all([
    part('the brief', 'brief', input.brief),
    part("the brand's description", 'description', brand.description),
    part('the required terms', 'requiredTerms', brand.requiredTerms.join(', ')),
    part('the banned terms', 'bannedTerms', brand.bannedTerms.join(', ')),
    part('the tone traits', 'toneTraits', brand.toneTraits.map((t) => `${t.weAre} ${t.weAreNot}`).join(', ')),
  ]);
  parts.sort((a, b) => b.tokens - a.tokens);
  const named = parts
    .filter((p) => p.tokens > 0)
    .slice(0, 3)
    .map((p) => `${p.name} (~${p.tokens} tokens)`);
  const over = tokens - room;
  return new GenerationError(
    GenerationErrorCode.PROMPT_TOO_LONG,
    `The prompt is ${tokens} tokens with every example left out and the voice shortened, but the model's ` +
      `context of ${budget.contextLength} positions keeps ${maxNewTokens} for this channel's copy, leaving ${room}. ` +
      `Cut at least ${over} tokens from ${named.join(', ') || 'the brief'}, or install a model with a longer context.`,
    parts[0].field,
  );
}
