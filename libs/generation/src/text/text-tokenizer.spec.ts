import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyTextModel } from '../models/tiny-text-model';
import { TextTokenizer } from './text-tokenizer';

test('a byte-level BPE tokenizer.json round-trips any text and renders the chat template', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenizer-'));
  try {
    buildTinyTextModel({ dir });
    const tokenizer = new TextTokenizer(dir);
    for (const text of [
      'Fresh coffee, delivered.',
      'Café naïve jalapeño — 24/7 🚀🇩🇪',
      '  spaces\tand\nnewlines  ',
      'Zürich ÆØÅ 日本語 ∑',
    ]) {
      const ids = tokenizer.encode(text);
      assert.equal(tokenizer.decode(ids), text);
    }
    // Merges were learned: common words are fewer tokens than bytes.
    assert.ok(tokenizer.encode(' coffee').length < ' coffee'.length);
    const prompt = tokenizer.applyChatTemplate([{ role: 'user', content: 'Hi' }]);
    assert.equal(prompt, '<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n');
    const ids = tokenizer.encode(prompt);
    assert.equal(ids[0], tokenizer.tokenId('<|im_start|>'));
    assert.ok(tokenizer.specialIds().has(tokenizer.tokenId('<|im_end|>')!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('vocabSize counts every id of the tokenizer.json (a Map in the library), added tokens included', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tokenizer-'));
  try {
    buildTinyTextModel({ dir });
    const tokenizer = new TextTokenizer(dir);
    const json = JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')) as {
      model: { vocab: Record<string, number> };
      added_tokens: { id: number }[];
    };
    const ids = [...Object.values(json.model.vocab), ...json.added_tokens.map((t) => t.id)];
    assert.ok(ids.length > 256);
    assert.equal(tokenizer.vocabSize, Math.max(...ids) + 1);
    assert.equal(tokenizer.vocabSize, tokenizer.tokenId('<|im_end|>')! + 1);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
