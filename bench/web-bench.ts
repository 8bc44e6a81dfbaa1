/**
 * `npm run bench:web`: the dashboard as a phone on a slow network sees it. The real api process
 * (NODE_ENV=production, PostgreSQL + Redis behind it) serves a fresh Vite build twice: as built
 * (brotli/gzip copies beside each file) and with the compressed copies removed (compression off).
 * Headless chromium loads the log-in, brands and campaign pages with an empty cache, under CDP
 * network and CPU throttling (Lighthouse's mobile profile: 150 ms RTT, 1.6 Mbps down, 750 kbps
 * up, CPU 4× slower), alternating the two servers run by run. Prints bytes over the wire, FCP,
 * LCP and CLS per page and mode (median and range), and the ratio uncompressed / compressed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { chromium, type Browser } from 'playwright-core';
import { buildDashboard } from '../test/browser/support/dashboard-build';

const server = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const runs = Number(process.env.BENCH_RUNS ?? 5);
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PHONE = { width: 390, height: 844 };
const NETWORK = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
const CPU_SLOWDOWN = 4;

type Mode = 'compressed' | 'uncompressed';
interface Sample {
  bytes: number;
  fcp: number;
  lcp: number;
  cls: number;
}

async function sql(database: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: Object.assign(new URL(server), { pathname: `/${database}` }).toString() });
  await client.connect();
  await client.query(text);
  await client.end();
}

/** Starts the api as its own process and waits until /healthz answers; returns how to stop it. */
async function startApi(env: NodeJS.ProcessEnv, url: string): Promise<() => Promise<void>> {
  const api = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/main.ts'], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = async () => {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
  };
  for (let i = 0; ; i++) {
    if (
      await fetch(`${url}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return stop;
    if (i > 120) {
      await stop();
      throw new Error('the api did not start');
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function gql<T>(url: string, query: string, variables: object, token?: string): Promise<T> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data: T; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

/** The same build with every .br and .gz removed: @fastify/static then sends the files as they are. */
function withoutCompressedCopies(dir: string): string {
  const copy = mkdtempSync(join(tmpdir(), 'bw-dashboard-raw-'));
  cpSync(dir, copy, { recursive: true });
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(br|gz)$/.test(name)) unlinkSync(path);
    }
  };
  walk(copy);
  return copy;
}

// Runs in the page before any of its scripts: records paint, LCP and layout-shift entries.
const VITALS = `
  window.__vitals = { fcp: 0, lcp: 0, cls: 0 };
  new PerformanceObserver((l) => { for (const e of l.getEntries()) if (e.name === 'first-contentful-paint') window.__vitals.fcp = e.startTime; }).observe({ type: 'paint', buffered: true });
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__vitals.lcp = e.startTime; }).observe({ type: 'largest-contentful-paint', buffered: true });
  window.__shifts = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) if (!e.hadRecentInput) { window.__vitals.cls += e.value; window.__shifts.push(e.value.toFixed(3) + ' ' + e.sources.map((x) => x.node ? (x.node.nodeName + '.' + (x.node.className || '') + ' ' + (x.node.textContent || '').slice(0, 30)) : '?').join(' | ')); } }).observe({ type: 'layout-shift', buffered: true });
`;

/**
 * One cold load: a new browser context (empty cache), signed in through the api first when the
 * page needs it (the refresh cookie is what a returning visitor has), then throttled and loaded.
 */
async function load(
  browser: Browser,
  origin: string,
  path: string,
  ready: string,
  login?: { email: string; password: string },
): Promise<Sample> {
  const context = await browser.newContext({ viewport: PHONE, deviceScaleFactor: 3, isMobile: true, hasTouch: true, baseURL: origin });
  try {
    if (login) {
      const response = await context.request.post('/graphql', {
        data: { query: 'mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }', variables: { i: login } },
      });
      if (!response.ok()) throw new Error(`log-in failed: ${response.status()} ${await response.text()}`);
    }
    await context.addInitScript({ content: VITALS });
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', NETWORK);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: CPU_SLOWDOWN });
    let bytes = 0;
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => (bytes += e.encodedDataLength));
    await page.goto(path, { waitUntil: 'load', timeout: 120_000 });
    await page.locator(ready).first().waitFor({ timeout: 120_000 });
    await page.waitForLoadState('networkidle', { timeout: 120_000 });
    // LCP is final once the page is idle; a frame more so the last paint is reported.
    await page.evaluate('new Promise((r) => requestAnimationFrame(() => setTimeout(r, 100)))');
    const vitals = (await page.evaluate('window.__vitals')) as Omit<Sample, 'bytes'>;
    // BENCH_SHIFTS=1 prints what moved, to find where CLS comes from.
    if (process.env.BENCH_SHIFTS === '1') console.log(path, await page.evaluate('window.__shifts'));
    return { bytes, ...vitals };
  } finally {
    await context.close();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const spread = (xs: number[], f: (x: number) => string) => `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
const ms = (x: number) => `${Math.round(x)} ms`;
const kb = (x: number) => `${(x / 1000).toFixed(1)} kB`;
const cls = (x: number) => x.toFixed(3);
const ratio = (raw: number[], small: number[]) => (median(small) > 0 ? `${(median(raw) / median(small)).toFixed(2)}×` : 'n/a');

async function main(): Promise<void> {
  const build = buildDashboard();
  const raw = withoutCompressedCopies(build.dir);
  const database = `bw_bench_web_${Date.now().toString(36)}`;
  await sql('postgres', `CREATE DATABASE "${database}"`);
  const ports: Record<Mode, number> = {
    compressed: 3990 + Math.floor(Math.random() * 4),
    uncompressed: 3995 + Math.floor(Math.random() * 4),
  };
  const origin = (mode: Mode) => `http://127.0.0.1:${ports[mode]}`;
  const env = (mode: Mode): NodeJS.ProcessEnv => ({
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: Object.assign(new URL(server), { pathname: `/${database}` }).toString(),
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret!',
    PORT: String(ports[mode]),
    HOST: '127.0.0.1',
    PUBLIC_URL: origin(mode),
    COOKIE_SECURE: 'false', // plain http on 127.0.0.1
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'fatal', // the figures, not the api's log, are the output
    REDIS_PREFIX: database,
    DASHBOARD_DIR: mode === 'compressed' ? build.dir : raw,
    RATE_LIMIT_ADDRESS_PER_WINDOW: '100000000',
    RATE_LIMIT_ANONYMOUS_PER_WINDOW: '100000000',
    RATE_LIMIT_LOGIN_FAILURES_PER_HOUR: '100000000',
  });
  const migrate = spawnSync(process.execPath, ['-r', '@swc-node/register', 'migrations/cli.ts', 'run'], {
    env: env('compressed'),
    encoding: 'utf8',
  });
  if (migrate.status !== 0) throw new Error(migrate.stderr);
  const stops = [await startApi(env('compressed'), origin('compressed')), await startApi(env('uncompressed'), origin('uncompressed'))];
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const login = { email: 'bench-web@example.com', password: 'bench password 123' };
    const { signUp } = await gql<{ signUp: { accessToken: string } }>(
      origin('compressed'),
      `mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }`,
      { i: { ...login, name: 'Bench Web' } },
    );
    const token = signUp.accessToken;
    const { createBrand } = await gql<{ createBrand: { id: string } }>(
      origin('compressed'),
      `mutation { createBrand(input: { name: "Northwind Coffee", description: "Small-batch coffee.", palette: ["#7a3e1d", "#f2e6d8"] }) { id } }`,
      {},
      token,
    );
    const { createCampaign } = await gql<{ createCampaign: { id: string } }>(
      origin('compressed'),
      `mutation($b: ID!) { createCampaign(input: { brandId: $b, name: "Spring single origins", objective: SALES, channels: [META_HEADLINE], brief: "Three single-origin coffees. 20% off the first bag." }) { id } }`,
      { b: createBrand.id },
      token,
    );
    const pages = [
      { name: 'login', path: '/login', ready: 'h1', login: undefined },
      { name: 'brands', path: '/brands', ready: 'ul[aria-label="Brands"]', login },
      { name: 'campaign', path: `/campaigns/${createCampaign.id}`, ready: 'h1:text("Spring single origins")', login },
    ];
    const samples = new Map<string, Sample[]>();
    // One warm-up load per server (the api's first answers are slower), not counted.
    for (const mode of ['compressed', 'uncompressed'] as const) await load(browser, origin(mode), '/login', 'h1');
    for (let run = 0; run < runs; run++) {
      for (const page of pages) {
        // Alternate which mode goes first, so drift on a shared machine hits both alike.
        const order: Mode[] = run % 2 ? ['uncompressed', 'compressed'] : ['compressed', 'uncompressed'];
        for (const mode of order) {
          const key = `${page.name}:${mode}`;
          samples.set(key, [...(samples.get(key) ?? []), await load(browser, origin(mode), page.path, page.ready, page.login)]);
        }
      }
    }

    console.log(
      `bench:web — headless chromium, phone profile (390×844, ${NETWORK.latency} ms RTT, 1.6 Mbps down, 750 kbps up, CPU ${CPU_SLOWDOWN}× slower), empty cache, ${runs} runs per page and mode, alternating; median (min–max)`,
    );
    for (const page of pages) {
      const c = samples.get(`${page.name}:compressed`)!;
      const u = samples.get(`${page.name}:uncompressed`)!;
      const col = (xs: Sample[], pick: (s: Sample) => number, f: (x: number) => string) => spread(xs.map(pick), f).padEnd(26);
      for (const [metric, pick, f] of [
        ['transfer', (s: Sample) => s.bytes, kb],
        ['FCP', (s: Sample) => s.fcp, ms],
        ['LCP', (s: Sample) => s.lcp, ms],
        ['CLS', (s: Sample) => s.cls, cls],
      ] as const) {
        console.log(
          `${page.name.padEnd(9)} ${metric.padEnd(9)} compressed ${col(c, pick, f)} uncompressed ${col(u, pick, f)} ratio ${ratio(u.map(pick), c.map(pick))}`,
        );
      }
    }
  } finally {
    await browser.close();
    for (const stop of stops) await stop();
    await sql('postgres', `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`).catch(() => undefined);
    build.remove();
    rmSync(raw, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
