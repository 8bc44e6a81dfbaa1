import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, createZip } from '../../apps/dashboard/src/lib/zip';
import { ADS_EDITOR_COLUMNS, csvCell, googleAdsEditorCsv } from '../../apps/dashboard/src/lib/google-ads-csv';
import { generate } from '../../apps/dashboard/scripts/codegen';

/** The dashboard's pure pieces, without a browser: zip writer, Ads Editor CSV, GraphQL codegen. */
describe('dashboard libraries', () => {
  test('crc32 matches the standard check value', () => {
    assert.equal(crc32(new TextEncoder().encode('123456789')), 0xcbf43926);
  });

  test('a store-only zip lists every file with its bytes, CRC and UTF-8 name', () => {
    const files = [
      { name: 'square-1.png', data: new Uint8Array([137, 80, 78, 71, 1, 2, 3]) },
      { name: 'café/landscape.webp', data: new TextEncoder().encode('RIFF....WEBP') },
    ];
    const zip = Buffer.from(createZip(files));
    const end = zip.length - 22;
    assert.equal(zip.readUInt32LE(end), 0x06054b50);
    assert.equal(zip.readUInt16LE(end + 10), 2);
    let at = zip.readUInt32LE(end + 16);
    for (const file of files) {
      assert.equal(zip.readUInt32LE(at), 0x02014b50);
      assert.equal(zip.readUInt16LE(at + 10), 0, 'stored');
      const nameLength = zip.readUInt16LE(at + 28);
      assert.equal(zip.subarray(at + 46, at + 46 + nameLength).toString('utf8'), file.name);
      assert.equal(zip.readUInt32LE(at + 16), crc32(file.data));
      const local = zip.readUInt32LE(at + 42);
      assert.equal(zip.readUInt32LE(local), 0x04034b50);
      const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
      assert.deepEqual(new Uint8Array(zip.subarray(dataAt, dataAt + file.data.length)), file.data);
      at += 46 + nameLength;
    }
    assert.throws(() => createZip([files[0], files[0]]), /both named square-1.png/);
  });

  test('the Ads Editor CSV puts approved RSA copy in one ad row and quotes what needs it', () => {
    const csv = googleAdsEditorCsv(
      [
        { channel: 'GOOGLE_RSA_HEADLINE', text: 'Roasted to order' },
        { channel: 'GOOGLE_RSA_HEADLINE', text: 'Fresh, "really" fresh' },
        { channel: 'GOOGLE_RSA_DESCRIPTION', text: '=HYPERLINK("x")' },
        { channel: 'GOOGLE_RSA_PATH', text: 'coffee' },
        { channel: 'META_HEADLINE', text: 'Coffee that tastes like where it grew' },
      ],
      { campaign: 'Spring', adGroup: 'Spring', finalUrl: 'https://example.com' },
    );
    const [header, rsa, meta, last] = csv.split('\r\n');
    assert.equal(header, ADS_EDITOR_COLUMNS.join(','));
    assert.equal(last, '');
    const columns = ADS_EDITOR_COLUMNS;
    const cells = rsa.match(/("([^"]|"")*"|[^,]*)(,|$)/g)!.map((c) => c.replace(/,$/, ''));
    assert.equal(cells[columns.indexOf('Ad type')], 'Responsive search ad');
    assert.equal(cells[columns.indexOf('Headline 1')], 'Roasted to order');
    assert.equal(cells[columns.indexOf('Headline 2')], '"Fresh, ""really"" fresh"');
    assert.equal(cells[columns.indexOf('Description 1')], `"'=HYPERLINK(""x"")"`, 'a formula is defused');
    assert.equal(cells[columns.indexOf('Path 1')], 'coffee');
    assert.equal(cells[columns.indexOf('Final URL')], 'https://example.com');
    assert.ok(meta.includes('Coffee that tastes like where it grew') && meta.endsWith('META_HEADLINE'));
    assert.equal(csvCell('plain'), 'plain');
  });

  test('every dashboard operation validates against the api schema, and drift is refused', () => {
    const dir = join(__dirname, '../../apps/dashboard/src/graphql');
    const schema = readFileSync(join(__dirname, '../../apps/api/schema.graphql'), 'utf8');
    const operations = readdirSync(dir)
      .filter((f) => f.endsWith('.graphql'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .join('\n');
    const code = generate(schema, operations);
    assert.match(
      code,
      /export const GenerationUpdatedDocument = gql<GenerationUpdatedSubscription, GenerationUpdatedSubscriptionVariables>/,
    );
    assert.match(code, /export type Channel = /);
    assert.throws(() => generate(schema, 'query Broken { brands { nodes { notAField } } }'), /notAField/);
  });
});
