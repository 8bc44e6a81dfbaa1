import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildTinyTextModel, DEMO_CONTEXT, isOutdatedTinyDemo } from './tiny-text-model';
import { TextEngine } from '../text/text-engine';
import { TextTokenizer } from '../text/text-tokenizer';

const root = mkdtempSync(join(tmpdir(), 'tiny-text-model-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('the demo model takes 2,048 positions: a prompt of 1,900 tokens generates', async () => {
  const dir = join(root, 'demo');
  buildTinyTextModel({ dir, size: 'test', suppressEos: true });
  assert.equal(DEMO_CONTEXT, 2048);
  const tokenizer = new TextTokenizer(dir);
  let prompt = '';
  while (tokenizer.encode(prompt).length < 1900) prompt += 'Fresh coffee delivered to your door every morning. ';
  const engine = await TextEngine.start({ modelDir: dir, threads: 1 });
  try {
    assert.equal(engine.info.contextLength, 2048);
    const result = await engine.generate({ prompt, maxNewTokens: 40, ignoreEos: true });
    assert.equal(result.outputTokens, 40);
    assert.ok(result.promptTokens >= 1900);
  } finally {
    await engine.close();
  }
});

test('a demo model built with the old 512-position context is recognised for a rebuild; a current one or a real one is not', () => {
  const old = join(root, 'old');
  buildTinyTextModel({ dir: old, size: 'test', contextLength: 512 });
  assert.equal(isOutdatedTinyDemo(old), true);
  const current = join(root, 'current');
  buildTinyTextModel({ dir: current, size: 'test' });
  assert.equal(isOutdatedTinyDemo(current), false);
  assert.equal(isOutdatedTinyDemo(join(root, 'missing')), false);
});
