import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApp, type TestApp } from '../support/app';
import { sample } from '../deploy/prometheus-text';
import { ok, signUp } from '../support/graphql';

/**
 * GraphQL over HTTP as a client meets it: media types, status codes, and every kind of bad input
 * answered as the client's mistake (BAD_USER_INPUT naming the field, or a 4xx for the request),
 * never INTERNAL, never with a stack trace or SQL.
 */
const METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
let api: TestApp;
let token: string;
before(async () => {
  api = await startApp({ METRICS_TOKEN, GRAPHQL_MAX_DEPTH: '5', HTTP_BODY_LIMIT_BYTES: String(64 * 1024) });
  token = (await signUp(api.url, 'Edge')).token;
});
after(() => api.close());

interface Answer {
  status: number;
  contentType: string;
  text: string;
  body: { data?: unknown; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } | null;
}

async function send(init: {
  method?: string;
  path?: string;
  type?: string | null;
  body?: string | Buffer | FormData;
  auth?: boolean;
  accept?: string;
}) {
  const headers: Record<string, string> = {};
  if (init.type !== null) headers['content-type'] = init.type ?? 'application/json';
  if (init.auth) headers.authorization = `Bearer ${token}`;
  if (init.accept) headers.accept = init.accept;
  const response = await fetch(`${api.url}${init.path ?? '/graphql'}`, { method: init.method ?? 'POST', headers, body: init.body });
  const text = await response.text();
  let body: Answer['body'] = null;
  try {
    body = JSON.parse(text);
  } catch {
    /* asserted below */
  }
  return { status: response.status, contentType: response.headers.get('content-type') ?? '', text, body };
}

const json = (query: string, variables?: unknown, extra: Record<string, unknown> = {}) => JSON.stringify({ query, variables, ...extra });
const get = (params: string) => send({ method: 'GET', path: `/graphql${params}`, type: null });

const NO_BRAND = '00000000-0000-4000-8000-000000000000';
const GENERATE = (input: string) => `mutation { generateCopy(input: { brandId: "${NO_BRAND}", brief: "b", ${input} }) { id } }`;

interface Row {
  title: string;
  request: () => Promise<Answer>;
  status: number;
  message: RegExp;
  /** extensions.field, when the problem is one field's */
  field?: string;
}

const rows: Row[] = [
  // The request itself (4xx before any GraphQL runs).
  { title: 'malformed JSON', request: () => send({ body: '{"query": ' }), status: 400, message: /JSON/i },
  { title: 'an empty JSON body', request: () => send({ body: '' }), status: 400, message: /empty/i },
  { title: 'a JSON array body', request: () => send({ body: '[]' }), status: 400, message: /body/i },
  { title: 'a JSON string body', request: () => send({ body: '"{ __typename }"' }), status: 400, message: /body/i },
  { title: 'no query', request: () => send({ body: '{}' }), status: 400, message: /query/, field: 'query' },
  { title: 'a query that is not a string', request: () => send({ body: '{"query": 5}' }), status: 400, message: /query/ },
  {
    title: 'variables that are not an object',
    request: () => send({ body: json('{ __typename }', 'x') }),
    status: 400,
    message: /variables/,
  },
  {
    title: 'a 10 MB body',
    request: () => send({ body: json('{ __typename }', { pad: 'x'.repeat(10 * 1024 * 1024) }) }),
    status: 413,
    message: /large/i,
  },
  {
    title: 'form-encoded POST',
    request: () => send({ type: 'application/x-www-form-urlencoded', body: 'query=mutation%20%7B%20logOut%20%7D' }),
    status: 415,
    message: /application\/json/,
    field: 'content-type',
  },
  {
    title: 'multipart POST',
    request: () => {
      const form = new FormData();
      form.set('operations', json('{ __typename }'));
      return send({ type: null, body: form });
    },
    status: 415,
    message: /multipart\/form-data/,
  },
  {
    title: 'text/plain POST',
    request: () => send({ type: 'text/plain', body: json('{ __typename }') }),
    status: 415,
    message: /text\/plain/,
  },
  {
    title: 'POST without a Content-Type',
    request: () => send({ type: null, body: Buffer.from(json('{ __typename }')) }),
    status: 415,
    message: /no Content-Type/,
  },
  {
    title: 'application/graphql POST',
    request: () => send({ type: 'application/graphql', body: '{ __typename }' }),
    status: 415,
    message: /application\/graphql/,
  },
  { title: 'GET ?sdl', request: () => get('?sdl'), status: 400, message: /query/, field: 'query' },
  { title: 'GET with no parameters', request: () => get(''), status: 400, message: /query/ },
  { title: 'a mutation over GET', request: () => get(`?query=${encodeURIComponent('mutation { logOut }')}`), status: 405, message: /GET/ },
  {
    title: 'GET variables that are not JSON',
    request: () => get(`?query=${encodeURIComponent('{ __typename }')}&variables=nope`),
    status: 400,
    message: /JSON/i,
  },
  // The document (400: refused before execution).
  { title: 'a syntax error', request: () => send({ body: json('{ brands(') }), status: 400, message: /Syntax Error/ },
  { title: 'an unknown field', request: () => send({ body: json('{ nope }') }), status: 400, message: /Cannot query field "nope"/ },
  {
    title: 'an unknown argument',
    request: () => send({ body: json('{ brands(last: 5) { nodes { id } } }'), auth: true }),
    status: 400,
    message: /Unknown argument "last"/,
  },
  {
    title: 'a missing required argument',
    request: () => send({ body: json('{ brand { id } }'), auth: true }),
    status: 400,
    message: /argument "id"/,
  },
  {
    title: 'a bad enum literal',
    request: () => send({ body: json(GENERATE('channel: BILLBOARD')), auth: true }),
    status: 400,
    message: /BILLBOARD/,
    field: 'input.channel',
  },
  {
    title: 'a bad enum in variables',
    request: () =>
      send({
        body: json('mutation($c: Channel!) { generateCopy(input: { brandId: "x", brief: "b", channel: $c }) { id } }', { c: 'BILLBOARD' }),
        auth: true,
      }),
    status: 400,
    message: /Variable "\$c".*BILLBOARD/,
    field: 'c',
  },
  {
    title: 'a string for an Int literal',
    request: () => send({ body: json('{ brands(first: "ten") { nodes { id } } }'), auth: true }),
    status: 400,
    message: /Int/,
    field: 'first',
  },
  {
    title: 'a string for an Int variable',
    request: () => send({ body: json('query($n: Int) { brands(first: $n) { nodes { id } } }', { n: 'ten' }), auth: true }),
    status: 400,
    message: /Variable "\$n"/,
    field: 'n',
  },
  {
    title: 'an Int past 32 bits',
    request: () => send({ body: json('{ brands(first: 99999999999) { nodes { id } } }'), auth: true }),
    status: 400,
    message: /Int cannot represent/,
    field: 'first',
  },
  {
    title: 'usage(from: "yesterday")',
    request: () => send({ body: json('{ usage(from: "yesterday") { totalCredits } }'), auth: true }),
    status: 400,
    message: /^from: .*yesterday/,
    field: 'from',
  },
  {
    title: 'a bad date in variables',
    request: () => send({ body: json('query($f: DateTime) { usage(from: $f) { totalCredits } }', { f: '2026-13-45' }), auth: true }),
    status: 400,
    message: /^f: must be an ISO 8601 date-time/,
    field: 'f',
  },
  {
    title: 'U+0000 in a variable',
    request: () =>
      send({ body: json('mutation($i: CreateBrandInput!) { createBrand(input: $i) { id } }', { i: { name: 'a\u0000b' } }), auth: true }),
    status: 400,
    message: /U\+0000/,
    field: 'i.name',
  },
  {
    title: 'U+0000 in a literal',
    request: () =>
      send({ body: json('mutation { createBrand(input: { name: "ok", exampleCopy: ["fine", "a\\u0000b"] }) { id } }'), auth: true }),
    status: 400,
    message: /U\+0000/,
    field: 'input.exampleCopy.1',
  },
  {
    title: 'U+0000 in a log-in email',
    request: () =>
      send({
        body: json('mutation($i: LogInInput!) { logIn(input: $i) { accessToken } }', {
          i: { email: 'a\u0000@example.com', password: 'x' },
        }),
      }),
    status: 400,
    message: /U\+0000/,
    field: 'i.email',
  },
  {
    title: 'too deep',
    request: () => send({ body: json('{ campaigns { nodes { variants { voiceReport { checks { rule } } } } } }'), auth: true }),
    status: 400,
    message: /depth 6 is over the limit of 5/,
    field: 'query',
  },
  {
    title: 'over the complexity limit',
    request: () => send({ body: json(`{ ${tooComplex()} }`), auth: true }),
    status: 400,
    message: /complexity \d+ is over the limit of 5000/,
    field: 'query',
  },
  {
    title: 'two operations and no operationName',
    request: () => send({ body: json('query A { __typename } query B { __typename }') }),
    status: 400,
    message: /operation name/i,
  },
  {
    title: 'an operationName not in the document',
    request: () => send({ body: json('query A { __typename }', undefined, { operationName: 'B' }) }),
    status: 400,
    message: /Unknown operation named "B"/,
  },
  // Arguments our resolvers check (200: execution ran, the field is null with its error).
  {
    title: 'an ID that is not a UUID',
    request: () => send({ body: json('{ brand(id: "nope") { id } }'), auth: true }),
    status: 200,
    message: /^id: /,
    field: 'id',
  },
  {
    title: 'first past 100',
    request: () => send({ body: json('{ brands(first: 101) { nodes { id } } }'), auth: true }),
    status: 200,
    message: /first/,
    field: 'first',
  },
  {
    title: 'a garbage cursor',
    request: () => send({ body: json('{ brands(after: "garbage") { nodes { id } } }'), auth: true }),
    status: 200,
    message: /after/,
    field: 'after',
  },
];

/** Six pages of 100 campaigns with a dozen fields each: well over 5000. */
function tooComplex(): string {
  const page = 'campaigns(first: 100) { nodes { id name brief status objective channels createdAt updatedAt brandId } }';
  return Array.from({ length: 6 }, (_, i) => `p${i}: ${page}`).join(' ');
}

const LEAKS = [
  /\s+at\s+\S+\s+\(/,
  /node_modules/,
  /QueryFailedError/,
  /\b(SELECT|INSERT|UPDATE)\b[\s\S]*\b(FROM|INTO|SET)\b/,
  /syntax error at or near/,
  /relation "/,
];

describe('bad requests are the client’s mistake, answered plainly', () => {
  test(`the table has at least 30 rows (${rows.length})`, () => assert.ok(rows.length >= 30));
  for (const row of rows) {
    test(row.title, async () => {
      const answer = await row.request();
      assert.equal(answer.status, row.status, `status for ${row.title}: ${answer.text.slice(0, 300)}`);
      assert.ok(answer.body?.errors?.length, `a GraphQL error body: ${answer.text.slice(0, 300)}`);
      const [error] = answer.body!.errors!;
      assert.equal(error.extensions?.code, 'BAD_USER_INPUT', answer.text.slice(0, 300));
      assert.match(error.message, row.message);
      if (row.field) assert.equal(error.extensions?.field, row.field, answer.text.slice(0, 300));
      for (const leak of LEAKS) assert.doesNotMatch(answer.text, leak, 'no stack trace or SQL reaches the client');
      assert.doesNotMatch(answer.text, /INTERNAL|went wrong/);
      assert.match(answer.contentType, /json/);
    });
  }
});

describe('GraphQL over HTTP', () => {
  test('application/graphql-response+json when the client accepts it, application/json otherwise', async () => {
    const modern = await send({ body: json('{ __typename }'), accept: 'application/graphql-response+json, application/json;q=0.9' });
    assert.equal(modern.status, 200);
    assert.match(modern.contentType, /^application\/graphql-response\+json/);
    const legacy = await send({ body: json('{ __typename }'), accept: 'application/json' });
    assert.match(legacy.contentType, /^application\/json/);
    const invalid = await send({ body: json('{ nope }'), accept: 'application/graphql-response+json' });
    assert.equal(invalid.status, 400);
    assert.match(invalid.contentType, /^application\/graphql-response\+json/);
    assert.equal('data' in invalid.body!, false, 'a request error has no data entry');
  });

  test('a null extensions is accepted', async () => {
    const answer = await send({ body: json('{ __typename }', null, { extensions: null, operationName: null }) });
    assert.equal(answer.status, 200, answer.text);
    assert.deepEqual(answer.body, { data: { __typename: 'Query' } });
  });

  test('a form-encoded log-out does not run (no simple cross-site requests)', async () => {
    const owner = await signUp(api.url, 'Csrf');
    const form = await send({
      type: 'application/x-www-form-urlencoded',
      body: `query=${encodeURIComponent(`mutation { logOut(refreshToken: "${owner.refreshToken}") }`)}`,
    });
    assert.equal(form.status, 415);
    // The refresh token still works: the mutation never ran.
    await ok(api.url, `mutation($t: String) { refreshSession(refreshToken: $t) { accessToken } }`, { t: owner.refreshToken });
  });

  test('a page of 100 campaigns with their variants and assets fits the complexity limit', async () => {
    const data = await ok(
      api.url,
      `{ campaigns(first: 100) { nodes { id name brief status objective channels createdAt
          variants { id text channel status rank createdAt } assets { id url format width height mimeType } }
        pageInfo { endCursor hasNextPage } } }`,
      {},
      token,
    );
    assert.deepEqual(data.campaigns.nodes, []);
  });
});

describe('/metrics on the api port', () => {
  test('needs the bearer token', async () => {
    assert.equal((await fetch(`${api.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${api.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status, 401);
    const scrape = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    assert.equal(scrape.status, 200);
    assert.match(await scrape.text(), /brandwright_http_request_duration_seconds/);
  });

  test('operation labels are the schema’s root fields, else "other", whatever names clients send', async () => {
    for (let i = 0; i < 30; i++) await send({ body: json(`query Random${i}x${Date.now()} { __typename }`) });
    await send({ body: json('query AnyNameAtAll { plans { id } }') });
    const text = await (await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    const names = new Set(
      [...text.matchAll(/brandwright_graphql_operation_duration_seconds_count\{[^}]*operation_name="([^"]*)"/g)].map((m) => m[1]),
    );
    assert.ok(names.size > 0);
    assert.ok(names.has('plans'), [...names].join(','));
    assert.ok(names.has('other'));
    for (const name of names) assert.doesNotMatch(name, /^Random|AnyNameAtAll/);
    const other = sample(text, 'brandwright_graphql_operation_duration_seconds_count', {
      operation_type: 'query',
      operation_name: 'other',
      outcome: 'success',
    });
    assert.ok(other! >= 30, `other: ${other}`);
  });
});

describe('idempotency', () => {
  test('the same idempotencyKey with a different input is a CONFLICT naming the key', async () => {
    const owner = await signUp(api.url, 'Idempotent');
    const brand = (await ok(api.url, `mutation { createBrand(input: { name: "Idem" }) { id } }`, {}, owner.token)).createBrand.id;
    const generate = `mutation($i: GenerateCopyInput!) { generateCopy(input: $i) { id } }`;
    const input = { brandId: brand, brief: 'Spring sale', channel: 'EMAIL_SUBJECT', variants: 1, idempotencyKey: 'order-42' };
    const first = (await ok(api.url, generate, { i: input }, owner.token)).generateCopy.id;
    const again = (await ok(api.url, generate, { i: input }, owner.token)).generateCopy.id;
    assert.equal(again, first, 'a repeat returns the first job');
    for (const changed of [{ brief: 'Autumn sale' }, { variants: 2 }, { seed: 7 }]) {
      const answer = await fetch(`${api.url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${owner.token}` },
        body: JSON.stringify({ query: generate, variables: { i: { ...input, ...changed } } }),
      }).then((r) => r.json() as Promise<{ errors?: Array<{ message: string; extensions: Record<string, unknown> }> }>);
      const [error] = answer.errors ?? [];
      assert.equal(error?.extensions.code, 'CONFLICT', JSON.stringify(answer));
      assert.equal(error.extensions.field, 'input.idempotencyKey');
      assert.match(error.message, /idempotencyKey "order-42"/);
      assert.match(error.message, new RegExp(`input\\.${Object.keys(changed)[0]} differs`));
    }
  });
});

describe('/metrics without METRICS_TOKEN', () => {
  // Last: the second app shares this file's database and closes after the rest have run.
  test('is not served at all on the api port', async () => {
    const plain = await startApp({}, api.database);
    try {
      assert.equal((await fetch(`${plain.url}/metrics`)).status, 404);
    } finally {
      await plain.close();
    }
  });
});
