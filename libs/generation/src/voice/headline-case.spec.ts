import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyHeadlineCase, followsHeadlineCase } from './headline-case';

test('title case: words capitalised, minor words lower inside, acronyms and brand terms kept', () => {
  assert.equal(
    applyHeadlineCase('the best cold brew in the USA for iPhone owners of ridgeline', 'title', ['Ridgeline']),
    'The Best Cold Brew in the USA for iPhone Owners of Ridgeline',
  );
  assert.equal(applyHeadlineCase('free-range beans to go', 'title'), 'Free-Range Beans to Go');
  assert.equal(applyHeadlineCase('what it is for', 'title'), 'What It Is For');
});

test('sentence case: first word of each sentence capitalised, Capitalised words lowered, I and brand terms kept', () => {
  assert.equal(
    applyHeadlineCase('fresh Coffee From RIDGELINE. Now With Oat Milk, I Promise', 'sentence', ['Ridgeline']),
    'Fresh coffee from Ridgeline. Now with oat milk, I promise',
  );
  assert.equal(applyHeadlineCase('the NASA blend, 2x Stronger', 'sentence'), 'The NASA blend, 2x stronger');
});

test('the rewrite never changes the length and is idempotent, so check and rewrite agree', () => {
  for (const text of ['straße Und ß', 'İstanbul Roast for you', "don't Stop", 'éclair Coffee', '  spaced   Out ', '🚀 launch Day']) {
    for (const rule of ['title', 'sentence'] as const) {
      const once = applyHeadlineCase(text, rule, ['Ridgeline']);
      assert.equal(once.length, text.length, `${rule}: ${text}`);
      assert.equal(applyHeadlineCase(once, rule, ['Ridgeline']), once);
      assert.ok(followsHeadlineCase(once, rule, ['Ridgeline']));
    }
  }
  assert.equal(applyHeadlineCase('Anything Goes', 'any'), 'Anything Goes');
});
