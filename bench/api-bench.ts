/**
 * `npm run bench:api`: autocannon against the real api process (PostgreSQL + Redis behind it),
 * with a JWT: a trivial query (`{ __typename }`, the floor: HTTP + GraphQL + auth) and
 * `brands(first: 20)` (auth + role lookup + an RLS transaction + a page of rows). Prints req/s and
 * p99 for each, and their ratio.
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

function run(title: string, body: string, token: string): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url: `${url}/graphql`,
        method: 'POST',
        connections,
        duration,
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body,
        title,
      },
      (err, result) => (err ? reject(err) : resolve(result)),
    );
  });
}

async function main(): Promise<void> {
  const database = `bw_bench_${Date.now().toString(36)}`;
  await sql('postgres', `CREATE DATABASE "${database}"`);
  const dbUrl = Object.assign(new URL(server), { pathname: `/${database}` }).toString();
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    DATABASE_URL: dbUrl,
    JWT_SECRET: 'bench-secret-bench-secret-bench-secret!',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    REDIS_PREFIX: database,
    // The limits protect production; the benchmark measures throughput, not the limiter's refusals.
    RATE_LIMIT_WORKSPACE_PER_WINDOW: '100000000',
    RATE_LIMIT_API_KEY_PER_WINDOW: '100000000',
    DASHBOARD_DIR: '/nonexistent',
  };
  const migrate = spawnSync(process.execPath, ['-r', '@swc-node/register', 'migrations/cli.ts', 'run'], { env, encoding: 'utf8' });
  if (migrate.status !== 0) throw new Error(migrate.stderr);
  const api = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/api/src/main.ts'], {
    env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  try {
    for (let i = 0; ; i++) {
      if (
        await fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        )
      )
        break;
      if (i > 120) throw new Error('the api did not start');
      await new Promise((r) => setTimeout(r, 500));
    }
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
    const a = await run('trivial', trivial, token);
    const b = await run('brands', brands, token);
    if (a.non2xx || b.non2xx || a.errors || b.errors)
      console.log(`warning: non-2xx ${a.non2xx}/${b.non2xx}, errors ${a.errors}/${b.errors}`);
    console.log(`bench:api — ${connections} connections, ${duration} s each, JWT auth, api as its own process (NODE_ENV=production)`);
    console.log(`trivial { __typename }:  ${a.requests.average.toFixed(0)} req/s, p99 ${a.latency.p99} ms`);
    console.log(`brands(first: 20):       ${b.requests.average.toFixed(0)} req/s, p99 ${b.latency.p99} ms`);
    console.log(
      `ratio brands/trivial:    ${(b.requests.average / a.requests.average).toFixed(2)}× req/s, ${(b.latency.p99 / Math.max(1, a.latency.p99)).toFixed(2)}× p99`,
    );
  } finally {
    api.kill('SIGTERM');
    await new Promise((r) => api.once('exit', r));
    await sql('postgres', `DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
