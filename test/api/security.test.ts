import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { JwtService } from '@nestjs/jwt';
import pg from 'pg';
import sharp from 'sharp';
import { ASSET_STORAGE, type AssetStorage } from '../../apps/api/src/assets/asset-storage';
import { AssetUrls } from '../../apps/api/src/assets/asset-urls';
import { startApp, TEST_JWT_SECRET, type TestApp } from '../support/app';
import { fails, ok, signUp } from '../support/graphql';

const STRIPE_WEBHOOK_SECRET = 'whsec_security_test_secret';
let api: TestApp;
let owner: pg.Client;

/** A stand-in for the Vite build (test/browser/security-headers.test.ts runs the real one in chromium). */
function fakeDashboard(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bw-security-dashboard-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/static/index.js"></script>');
  return dir;
}

before(async () => {
  api = await startApp({
    DASHBOARD_DIR: fakeDashboard(),
    ASSET_DIR: mkdtempSync(join(tmpdir(), 'bw-security-assets-')),
    STRIPE_SECRET_KEY: 'sk_test_security',
    STRIPE_WEBHOOK_SECRET,
  });
  owner = new pg.Client({ connectionString: api.database.url });
  await owner.connect();
});
after(async () => {
  await owner?.end();
  await api?.close();
});

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const EVIL_SVG = Buffer.from(
  `<svg xmlns="http://www.w3.org/2000/svg" width="64" height="32" onload="alert(1)">` +
    `<script>alert(document.cookie)</script><rect width="64" height="32" fill="#e11"/></svg>`,
);

function assertUserFileHeaders(headers: Headers, what: string): void {
  assert.equal(headers.get('x-content-type-options'), 'nosniff', what);
  assert.equal(headers.get('content-security-policy'), "default-src 'none'; sandbox", what);
  assert.match(headers.get('content-disposition') ?? '', /^(inline|attachment); filename="[^"]+"$/, what);
}

describe('uploads', () => {
  test('an SVG logo with a script is stored and served as a PNG, with the user-file headers', async () => {
    const user = await signUp(api.url, 'SvgLogo');
    const created = await ok(
      api.url,
      `mutation($l: LogoInput) { createBrand(input: { name: "Svg Co", logo: $l }) { id logoMimeType } }`,
      { l: { base64: EVIL_SVG.toString('base64'), mimeType: 'image/svg+xml' } },
      user.token,
    );
    assert.equal(created.createBrand.logoMimeType, 'image/png');
    const response = await fetch(`${api.url}/brands/${created.createBrand.id}/logo`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assertUserFileHeaders(response.headers, 'logo');
    const body = Buffer.from(await response.arrayBuffer());
    assert.deepEqual(body.subarray(0, 8), PNG_MAGIC);
    assert.ok(!body.includes('<script'), 'no script in what is served');
    const meta = await sharp(body).metadata();
    assert.equal(meta.width! / meta.height!, 2, 'the drawing, rendered at its aspect ratio');

    const [row] = (await owner.query(`SELECT logo, logo_mime_type FROM brands WHERE id = $1`, [created.createBrand.id])).rows;
    assert.equal(row.logo_mime_type, 'image/png');
    assert.deepEqual((row.logo as Buffer).subarray(0, 8), PNG_MAGIC, 'stored rasterised');
  });

  test('an SVG stored before this change is rasterised on the way out, never served as SVG', async () => {
    const user = await signUp(api.url, 'LegacySvg');
    const brand = await ok(api.url, `mutation { createBrand(input: { name: "Legacy Co" }) { id } }`, {}, user.token);
    await owner.query(`UPDATE brands SET logo = $2, logo_mime_type = 'image/svg+xml' WHERE id = $1`, [brand.createBrand.id, EVIL_SVG]);
    const response = await fetch(`${api.url}/brands/${brand.createBrand.id}/logo`, { headers: { authorization: `Bearer ${user.token}` } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'image/png');
    assertUserFileHeaders(response.headers, 'legacy logo');
    assert.deepEqual(Buffer.from(await response.arrayBuffer()).subarray(0, 8), PNG_MAGIC);
  });

  test('assets carry nosniff, a sandboxing CSP and a Content-Disposition; a non-image type is an attachment', async () => {
    const user = await signUp(api.url, 'AssetHeaders');
    const brand = await ok(api.url, `mutation { createBrand(input: { name: "Asset Co" }) { id } }`, {}, user.token);
    const job = await ok(
      api.url,
      `mutation($b: ID!) { generateCopy(input: { brandId: $b, channel: META_HEADLINE, brief: "Spring", variants: 1 }) { id } }`,
      { b: brand.createBrand.id },
      user.token,
    );
    const storage = api.app.get<symbol, AssetStorage>(ASSET_STORAGE, { strict: false });
    const urls = api.app.get(AssetUrls, { strict: false });
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
      .png()
      .toBuffer();
    let variant = 0;
    const seed = async (mimeType: string, bytes: Buffer) => {
      const key = `${user.workspaceId}/${job.generateCopy.id}/${randomUUID()}.bin`;
      await storage.put(key, bytes, mimeType);
      const [asset] = (
        await owner.query(
          `INSERT INTO assets (workspace_id, job_id, brand_id, variant, format, file_kind, storage_key, mime_type, width, height, size_bytes)
           VALUES ($1, $2, $3, $4, 'SQUARE', 'PNG', $5, $6, 8, 8, $7) RETURNING id`,
          [user.workspaceId, job.generateCopy.id, brand.createBrand.id, variant++, key, mimeType, bytes.length],
        )
      ).rows;
      const { url } = urls.url(user.workspaceId, asset.id);
      return `${api.url}${new URL(url).pathname}${new URL(url).search}`;
    };

    const imageUrl = await seed('image/png', png);
    const inline = await fetch(imageUrl);
    assert.equal(inline.status, 200);
    assert.equal(inline.headers.get('content-type'), 'image/png');
    assertUserFileHeaders(inline.headers, 'asset');
    assert.match(inline.headers.get('content-disposition')!, /^inline/);
    const download = await fetch(`${imageUrl}&download=1`);
    assert.match(download.headers.get('content-disposition')!, /^attachment; filename="asset-[0-9a-f-]+\.png"$/);

    const htmlUrl = await seed('text/html', Buffer.from('<script>alert(1)</script>'));
    const html = await fetch(htmlUrl);
    assert.equal(html.headers.get('content-type'), 'application/octet-stream');
    assertUserFileHeaders(html.headers, 'html asset');
    assert.match(html.headers.get('content-disposition')!, /^attachment/);
  });
});

describe('security headers', () => {
  const directives = (csp: string | null) =>
    new Map(
      (csp ?? '')
        .split(';')
        .map((d) => d.trim().split(/\s+/) as [string, ...string[]])
        .map(([k, ...v]) => [k, v]),
    );

  test('dashboard pages and the api send a CSP without inline script, frame-ancestors none, no-referrer', async () => {
    for (const path of ['/', '/brands/0b5d7f3e-2f7e-4c55-9d7e-3f0a8f1b2c3d', '/accept-invitation?token=bwi_x']) {
      const page = await fetch(`${api.url}${path}`);
      assert.equal(page.status, 200, path);
      assert.match(page.headers.get('content-type')!, /text\/html/, path);
      const csp = directives(page.headers.get('content-security-policy'));
      assert.deepEqual(csp.get('script-src'), ["'self'"], path);
      assert.deepEqual(csp.get('frame-ancestors'), ["'none'"], path);
      assert.deepEqual(csp.get('object-src'), ["'none'"], path);
      assert.equal(page.headers.get('x-frame-options'), 'DENY', path);
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer', path);
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff', path);
    }
    const graphql = await fetch(`${api.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ __typename }' }),
    });
    assert.deepEqual(directives(graphql.headers.get('content-security-policy')).get('frame-ancestors'), ["'none'"]);
    assert.equal(graphql.headers.get('referrer-policy'), 'no-referrer');
  });

  test('the dashboard’s own index.html has no inline script for the CSP to block', () => {
    const html = readFileSync(join(__dirname, '../../apps/dashboard/index.html'), 'utf8');
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attributes, body] of scripts) {
      assert.match(attributes, /\ssrc=/);
      assert.equal(body.trim(), '');
    }
    assert.doesNotMatch(html, /\son[a-z]+=/i, 'no inline event handlers');
  });

  test('/graphiql loads every script and stylesheet from our own origin', async () => {
    const page = await fetch(`${api.url}/graphiql`);
    assert.equal(page.status, 200);
    const html = await page.text();
    const csp = directives(page.headers.get('content-security-policy'));
    assert.deepEqual(csp.get('script-src'), ["'self'"]);
    const urls = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(urls.length >= 5, `scripts and styles: ${urls.join(', ')}`);
    assert.doesNotMatch(html, /<script>|<script\s[^>]*>[^<]/, 'no inline script');
    for (const url of urls) {
      assert.match(url, /^\/graphiql\//, `${url} is ours`);
      const file = await fetch(`${api.url}${url}`);
      assert.equal(file.status, 200, url);
      const body = await file.text();
      assert.ok(body.length > 50, url);
      assert.doesNotMatch(body.slice(0, 2000), /unpkg\.com|cdn\.jsdelivr/, url);
    }
  });
});

describe('access tokens', () => {
  const ME = `{ me { id } }`;
  const signer = new JwtService({ secret: TEST_JWT_SECRET });
  const good = { issuer: 'brandwright', audience: 'brandwright-api' };

  test('a well-formed token is accepted (the control for the refusals below)', async () => {
    const user = await signUp(api.url, 'JwtGood');
    const token = signer.sign({ sub: user.userId, wid: user.workspaceId, typ: 'access' }, { ...good, expiresIn: 60 });
    await ok(api.url, ME, {}, token);
  });

  test('a token without exp, without iat, for another audience or issuer, or too long-lived is refused', async () => {
    const user = await signUp(api.url, 'JwtBad');
    const claims = { sub: user.userId, wid: user.workspaceId, typ: 'access' };
    const cases: Record<string, string> = {
      'no exp': signer.sign(claims, good),
      'no iat': signer.sign(claims, { ...good, expiresIn: 60, noTimestamp: true }),
      'another audience': signer.sign(claims, { ...good, audience: 'someone-else', expiresIn: 60 }),
      'no audience': signer.sign(claims, { issuer: 'brandwright', expiresIn: 60 }),
      'another issuer': signer.sign(claims, { ...good, issuer: 'not-us', expiresIn: 60 }),
      'lives a year': signer.sign(claims, { ...good, expiresIn: 365 * 24 * 3600 }),
      'HS512 with our secret': signer.sign(claims, { ...good, expiresIn: 60, algorithm: 'HS512' }),
    };
    const none = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    cases['alg none'] =
      `${none({ alg: 'none', typ: 'JWT' })}.${none({ ...claims, iat: now, exp: now + 60, iss: 'brandwright', aud: 'brandwright-api' })}.`;
    for (const [what, token] of Object.entries(cases)) {
      const error = await fails('UNAUTHENTICATED', api.url, ME, {}, token);
      assert.equal(error.extensions?.reason, 'TOKEN_INVALID', what);
    }
  });
});

describe('Stripe webhooks', () => {
  const deliver = (signedAt: number) => {
    const body = JSON.stringify({
      id: `evt_${randomUUID()}`,
      object: 'event',
      type: 'security.test',
      created: signedAt,
      data: { object: {} },
    });
    const v1 = createHmac('sha256', STRIPE_WEBHOOK_SECRET).update(`${signedAt}.${body}`).digest('hex');
    return fetch(`${api.url}/webhooks/stripe`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': `t=${signedAt},v1=${v1}` },
      body,
    });
  };

  test('an event signed more than five minutes in the future is refused; one signed now is taken', async () => {
    const now = Math.floor(Date.now() / 1000);
    assert.equal((await deliver(now)).status, 200);
    assert.equal((await deliver(now + 240)).status, 200, 'four minutes of clock skew is tolerated');
    const future = await deliver(now + 600);
    assert.equal(future.status, 400);
    assert.match(JSON.stringify(await future.json()), /future/);
  });
});
