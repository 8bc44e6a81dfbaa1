import assert from 'node:assert/strict';

export interface GraphqlResult<T = Record<string, any>> {
  status: number;
  data: T | null;
  errors?: Array<{ message: string; extensions?: { code?: string; [k: string]: unknown } }>;
  headers: Headers;
}

/** POSTs one GraphQL operation, as a client would. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  headers: Record<string, string> = {},
): Promise<GraphqlResult<T>> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: GraphqlResult['errors'] };
  return { status: response.status, data: body.data ?? null, errors: body.errors, headers: response.headers };
}

/** The operation succeeded; returns its data. */
export async function ok<T = Record<string, any>>(...args: Parameters<typeof gql>): Promise<T> {
  const result = await gql<T>(...args);
  assert.equal(result.errors, undefined, `unexpected errors: ${JSON.stringify(result.errors)}`);
  return result.data as T;
}

/** The operation failed with this `extensions.code`; returns the first error. */
export async function fails(code: string, ...args: Parameters<typeof gql>) {
  const result = await gql(...args);
  assert.ok(result.errors?.length, `expected ${code}, got data ${JSON.stringify(result.data)}`);
  assert.equal(result.errors![0].extensions?.code, code, `expected ${code}, got ${JSON.stringify(result.errors)}`);
  for (const error of result.errors!) assert.ok(!JSON.stringify(error).includes('    at '), 'an error leaked a stack trace');
  return result.errors![0];
}

let counter = 0;

/** Signs up a new person with their own workspace; returns their tokens and ids. */
export async function signUp(url: string, name = 'Tester') {
  counter += 1;
  const email = `${name.toLowerCase()}-${process.pid}-${Date.now()}-${counter}@example.com`;
  const data = await ok<{ signUp: { accessToken: string; refreshToken: string; user: { id: string }; workspace: { id: string } } }>(
    url,
    `mutation($input: SignUpInput!) { signUp(input: $input) { accessToken refreshToken user { id } workspace { id } } }`,
    { input: { email, password: 'correct horse battery', name, workspaceName: `${name} Co` } },
  );
  return {
    email,
    password: 'correct horse battery',
    token: data.signUp.accessToken,
    refreshToken: data.signUp.refreshToken,
    userId: data.signUp.user.id,
    workspaceId: data.signUp.workspace.id,
  };
}
