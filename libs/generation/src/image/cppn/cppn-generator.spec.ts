import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { paletteAdherence } from '../brand-check';
import { parsePalette } from '../colour';
import { silentLogger } from '../engine/open-session';
import { CppnGenerator } from './cppn-generator';

let cppn: CppnGenerator;
before(async () => (cppn = await CppnGenerator.create({ executionProvider: 'cpu', log: silentLogger })));
after(() => cppn.release());

const palette = ['#0F62FE', '#FFD400', '#161616', '#F4F4F4'];

test('the CPPN paints with the brand palette', async () => {
  for (const seed of [1, 2, 3]) {
    const picture = await cppn.generate({ prompt: '', width: 320, height: 240, seed, palette });
    const img = { data: Buffer.from(picture.rgb), width: 320, height: 240 };
    const adherence = paletteAdherence(img, parsePalette(palette));
    assert.ok(adherence.score >= 0.8, `seed ${seed}: only ${adherence.score} of pixels near the palette`);
    const used = adherence.perColour.filter((c) => c.share > 0.02).length;
    assert.ok(used >= 2, `seed ${seed}: uses ${used} palette colours`);
  }
  // Another palette, other colours.
  const red = await cppn.generate({ prompt: '', width: 64, height: 64, seed: 1, palette: ['#FF0000', '#00AA00'] });
  const adherence = paletteAdherence({ data: Buffer.from(red.rgb), width: 64, height: 64 }, parsePalette(['#FF0000', '#00AA00']));
  assert.ok(adherence.score >= 0.8);
});

test('same seed and palette give the same pixels, at any size', async () => {
  const a = await cppn.generate({ prompt: '', width: 333, height: 177, seed: 42, palette });
  const b = await cppn.generate({ prompt: '', width: 333, height: 177, seed: 42, palette });
  assert.equal(a.rgb.length, 333 * 177 * 3);
  assert.deepEqual(Buffer.from(a.rgb), Buffer.from(b.rgb));
  const c = await cppn.generate({ prompt: '', width: 333, height: 177, seed: 43, palette });
  assert.notDeepEqual(Buffer.from(a.rgb), Buffer.from(c.rgb));
  // Taller than one run's chunk: rows are stitched seamlessly (chunking does not change pixels).
  const tall = await cppn.generate({ prompt: '', width: 1080, height: 1920, seed: 42, palette });
  assert.equal(tall.rgb.length, 1080 * 1920 * 3);
});
