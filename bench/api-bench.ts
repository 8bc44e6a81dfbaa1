/**
 * `npm run bench:api`: autocannon against the real api process (PostgreSQL + Redis behind it),
 * with the rate limiter on. First throughput, with budgets set high enough that nothing is
 * refused (so the limiter's own cost is in the figures): a trivial query anonymously and with a
 * JWT (`{ __typename }`, the floor: HTTP + limits + GraphQL [+ auth]) and `brands(first: 20)` (auth
 * + role lookup + an RLS transaction + a page of rows). Then the default limits against a flood
 * from one address: how many answers were admitted and how many refused with 429.
 */
import { spawn, spawnSync } from 'node:child_process';
import autocannon from 'autocannon';
import pg from 'pg';

const server = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const duration = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 16);
const port = 3900 + Math.floor(Math.random() * 90);
const url = `http://127.0.0.1:${port}`;

async function sql(database: string, text: string): Promise<void> {
  const u = new URL(server);
  u.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: u.toString() });
  await client.connect();
  await client.query(text);
  await client.end();
}

async function gql(query: string, variables: object, token?: string) {
  const r = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await r.json()) as { data: any; errors?: unknown };
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

function run(title: string, body: string, token?: string, headers: Record<string, string> = {}): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/graphql`,
        method: 'POST',
        connections,
        duration,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
        body,
        title,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

/** Starts the api as its own process and waits until /healthz answers; returns how to stop it. */
async function startApi(env: NodeJS.ProcessEnv): Promise<() => Promise<void>> {
  const api = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/main.ts'], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = async () => {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
  };
  for (let i = 0; ; i++) {
    const up = await fetch(`${url}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return stop;
    if (i > 120) {
      await stop();
      throw new Error('the api did not start');
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

const refused = (r: autocannon.Result) => (r.statusCodeStats as Record<string, { count: number } | undefined>)['429']?.count ?? 0;

async function main(): Promise<void> {
  const database = `bw_bench_${Date.now().toString(36)}`;
  await sql('postgres', `CREATE DATABASE "${database}"`);
  const dbUrl = Object.assign(new URL(server), { pathname: `/${database}` }).toString();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret!',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: database,
    DASHBOARD_DIR: '/nonexistent',
  };
  // The limiter runs on every request; these budgets only keep it from refusing the benchmark.
  const high = {
    RATE_LIMIT_ADDRESS_PER_WINDOW: '100000000',
    RATE_LIMIT_ANONYMOUS_PER_WINDOW: '100000000',
    RATE_LIMIT_WORKSPACE_PER_WINDOW: '100000000',
    RATE_LIMIT_API_KEY_PER_WINDOW: '100000000',
  };
  const migrate = spawnSync(process.execPath, ['-r', '@swc-node/register', 'migrations/cli.ts', 'run'], { env, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(migrate.stderr);
  let stop = await startApi({ ...env, ...high });
  try {
    const session = await gql(`mutation($i: SignUpInput!) { signUp(input: $i) { accessToken } }`, {
      i: { email: 'bench@example.com', password: 'bench password 123', name: 'Bench' },
    });
    const token: string = session.signUp.accessToken;
    for (let i = 0; i < 25; i++) {
      await gql(
        `mutation($n: String!) { createBrand(input: { name: $n, palette: ["#112233"], bannedTerms: ["cheap"] }) { id } }`,
        { n: `Brand ${i}` },
        token,
      );
    }
    const trivial = JSON.stringify({ query: '{ __typename }' });
    const brands = JSON.stringify({
      query:
        '{ brands(first: 20) { nodes { id name description palette bannedTerms styleRules { emoji } } pageInfo { endCursor hasNextPage } } }',
    });
    await run('warm-up', brands, token);
    const anonymous = await run('anonymous', trivial);
    const a = await run('trivial', trivial, token);
    const b = await run('brands', brands, token);
    for (const r of [anonymous, a, b])
      if (r.non2xx || r.errors) console.log(`warning: ${r.title}: non-2xx ${r.non2xx}, errors ${r.errors}`);
    console.log(`bench:api — ${connections} connections, ${duration} s each, api as its own process (NODE_ENV=production), rate limits on`);
    console.log(`anonymous { __typename }:       ${anonymous.requests.average.toFixed(0)} req/s, p99 ${anonymous.latency.p99} ms`);
    console.log(`JWT { __typename }:             ${a.requests.average.toFixed(0)} req/s, p99 ${a.latency.p99} ms`);
    console.log(`JWT brands(first: 20):          ${b.requests.average.toFixed(0)} req/s, p99 ${b.latency.p99} ms`);
    console.log(
      `ratio brands/trivial:           ${(b.requests.average / a.requests.average).toFixed(2)}× req/s, ${(b.latency.p99 / Math.max(1, a.latency.p99)).toFixed(2)}× p99`,
    );

    // The default budgets (RATE_LIMIT_*), against a flood from one address; each flood comes
    // from its own address (as a trusted proxy on 127.0.0.1 reports it), so neither spends the other's.
    await stop();
    stop = await startApi({ ...env, TRUSTED_PROXIES: '127.0.0.1' });
    const floodAnonymous = await run('anonymous flood', trivial, undefined, { 'x-forwarded-for': '203.0.113.1' });
    const floodJwt = await run('JWT flood', brands, token, { 'x-forwarded-for': '203.0.113.2' });
    const line = (r: autocannon.Result) =>
      `${r.requests.total} answered (${r.requests.average.toFixed(0)} req/s, p99 ${r.latency.p99} ms), ${r.requests.total - refused(r)} admitted, ${refused(r)} refused with 429`;
    console.log(`default limits, one address, ${duration} s:`);
    console.log(`  anonymous { __typename }:     ${line(floodAnonymous)}`);
    console.log(`  JWT brands(first: 20):        ${line(floodJwt)}`);
  } finally {
    await stop();
    await sql('postgres', `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
