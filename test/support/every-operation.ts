import assert from 'node:assert/strict';
import {
  type GraphQLField,
  type GraphQLOutputType,
  type IntrospectionQuery,
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  isLeafType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { createClient } from 'graphql-ws';
import pg from 'pg';
import sharp from 'sharp';
import WebSocket from 'ws';
import { startApp, type TestApp } from './app';
import { type GraphqlResult, gql, ok, signUp } from './graphql';

/**
 * The every-operation sweeps (test/api/brand-limits.test.ts, test/api/roles.test.ts). The list of
 * operations comes from the live schema by introspection; OPERATIONS below is the specification
 * each one is checked against: who may call it, whether a brand-limited API key may, and the
 * arguments to call it with. An operation in the schema but not in OPERATIONS fails both sweeps.
 */

export const ROLES = ['OWNER', 'ADMIN', 'EDITOR', 'VIEWER'] as const;
export type RoleName = (typeof ROLES)[number];
const rank: Record<RoleName, number> = { VIEWER: 0, EDITOR: 1, ADMIN: 2, OWNER: 3 };

export type Target = 'brand1' | 'brand2';

export interface Caller {
  kind: 'user' | 'apiKey';
  token: string;
  label: string;
  email?: string;
  role?: RoleName;
}

export interface BrandSeed {
  brandId: string;
  brandName: string;
  campaignId: string;
  campaignName: string;
  jobId: string;
  variantId: string;
  variantText: string;
  assetId: string;
  deliveryId: string;
}

export interface Fixture {
  owner: Awaited<ReturnType<typeof signUp>>;
  members: Record<RoleName, Caller>;
  brand1: BrandSeed;
  brand2: BrandSeed;
  /** Owner of a second workspace, who invites callers so acceptInvitation has a real token. */
  elsewhere: Awaited<ReturnType<typeof signUp>>;
  /** Someone to log in as. */
  lurker: Awaited<ReturnType<typeof signUp>>;
  /** A query as the database owner (superuser in tests): seeding and checks. */
  sql(text: string, params?: unknown[]): Promise<Array<Record<string, unknown>>>;
}

interface Context {
  api: TestApp;
  fx: Fixture;
  caller: Caller;
  target: Target;
}

export interface OperationSpec {
  /** Who may call it: anyone, any signed-in person (no API key), or members from this role up. */
  access: 'public' | 'signedIn' | RoleName;
  /** For member operations: whether a brand-limited API key may call it (on its brands). */
  brand?: 'scoped' | 'workspace';
  /** Brand-scoped and aimed at one brand's row: brand 1 must answer NOT_FOUND to a brand-2 key. */
  targeted?: boolean;
  /** A list: a brand-2 key must see brand 2's rows in it. */
  lists?: boolean;
  /** Codes an allowed call may still end with for reasons other than access (CONFLICT: Stripe is not set up in these tests). */
  allowedErrors?: string[];
  variables(ctx: Context): Promise<Record<string, unknown>> | Record<string, unknown>;
}

let serial = 0;
const unique = (prefix: string) => `${prefix} ${process.pid}-${Date.now()}-${++serial}`;
const seedOf = (ctx: Context) => (ctx.target === 'brand1' ? ctx.fx.brand1 : ctx.fx.brand2);
const none = () => ({});

async function asOwner<T = Record<string, any>>(ctx: Context, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  return ok<T>(ctx.api.url, query, variables, ctx.fx.owner.token);
}

async function freshJob(ctx: Context): Promise<string> {
  const data = await asOwner(
    ctx,
    `mutation($b: ID!) { generateCopy(input: { brandId: $b, channel: META_HEADLINE, brief: "Spring", variants: 1 }) { id } }`,
    { b: seedOf(ctx).brandId },
  );
  return data.generateCopy.id;
}

async function freshCampaign(ctx: Context): Promise<string> {
  const data = await asOwner(
    ctx,
    `mutation($b: ID!, $n: String!) { createCampaign(input: { brandId: $b, name: $n, objective: SALES }) { id } }`,
    {
      b: seedOf(ctx).brandId,
      n: unique('Spare'),
    },
  );
  return data.createCampaign.id;
}

async function freshMember(ctx: Context): Promise<string> {
  const person = await signUp(ctx.api.url, 'Extra');
  const invite = await asOwner(ctx, `mutation($e: String!) { inviteMember(input: { email: $e, role: EDITOR }) { token } }`, {
    e: person.email,
  });
  await ok(ctx.api.url, `mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: invite.inviteMember.token }, person.token);
  const members = await asOwner(ctx, `{ members { id user { id } } }`);
  return members.members.find((m: { user: { id: string } }) => m.user.id === person.userId).id;
}

async function freshKey(ctx: Context): Promise<string> {
  const own = ctx.caller.kind === 'user' && ctx.caller.role && rank[ctx.caller.role] >= rank.EDITOR;
  const data = await ok(
    ctx.api.url,
    `mutation($n: String!) { createApiKey(input: { name: $n, scopes: [READ] }) { apiKey { id } } }`,
    { n: unique('key') },
    own ? ctx.caller.token : ctx.fx.owner.token,
  );
  return data.createApiKey.apiKey.id;
}

/** A copy variant of the target brand's job in `status`, written as a worker (or an earlier review step) would. */
async function freshVariant(ctx: Context, status: string): Promise<string> {
  const seed = seedOf(ctx);
  const [row] = await ctx.fx.sql(
    `INSERT INTO copy_variants (workspace_id, job_id, brand_id, campaign_id, channel, rank, text, seed, voice_report, voice_score, status)
     SELECT workspace_id, job_id, brand_id, campaign_id, channel, $2, text, seed, voice_report, voice_score, $3 FROM copy_variants WHERE id = $1
     RETURNING id`,
    [seed.variantId, 1000 + ++serial, status],
  );
  return row.id as string;
}

/** The specification. Keep it in step with the resolvers' @Access / @BrandScoped decorators. */
export const OPERATIONS: Record<string, OperationSpec> = {
  // Anyone.
  signUp: {
    access: 'public',
    variables: () => ({
      input: {
        email: `${unique('new').replace(/ /g, '-')}@example.com`,
        password: 'correct horse battery',
        name: 'New',
        workspaceName: 'New Co',
      },
    }),
  },
  logIn: { access: 'public', variables: (c) => ({ input: { email: c.fx.lurker.email, password: c.fx.lurker.password } }) },
  refreshSession: { access: 'public', variables: async (c) => ({ refreshToken: (await signUp(c.api.url, 'Refresher')).refreshToken }) },
  logOut: { access: 'public', variables: none },

  // A signed-in person, never an API key.
  me: { access: 'signedIn', variables: none },
  myWorkspaces: { access: 'signedIn', variables: none },
  createWorkspace: { access: 'signedIn', variables: () => ({ input: { name: unique('Side Co') } }) },
  switchWorkspace: { access: 'signedIn', variables: (c) => ({ workspaceId: c.fx.owner.workspaceId }) },
  acceptInvitation: {
    access: 'signedIn',
    variables: async (c) => {
      if (!c.caller.email) return { token: 'notaninvitationtoken' };
      const invite = await ok(
        c.api.url,
        `mutation($e: String!) { inviteMember(input: { email: $e, role: VIEWER }) { token } }`,
        { e: c.caller.email },
        c.fx.elsewhere.token,
      );
      return { token: invite.inviteMember.token };
    },
  },

  // Within brands: a brand-limited key may, on its brands.
  brands: { access: 'VIEWER', brand: 'scoped', lists: true, variables: () => ({ first: 50 }) },
  brand: { access: 'VIEWER', brand: 'scoped', targeted: true, variables: (c) => ({ id: seedOf(c).brandId }) },
  updateBrand: {
    access: 'EDITOR',
    brand: 'scoped',
    targeted: true,
    variables: (c) => ({ input: { id: seedOf(c).brandId, description: 'Updated' } }),
  },
  campaigns: { access: 'VIEWER', brand: 'scoped', lists: true, variables: () => ({ first: 50 }) },
  campaign: { access: 'VIEWER', brand: 'scoped', targeted: true, variables: (c) => ({ id: seedOf(c).campaignId }) },
  createCampaign: {
    access: 'EDITOR',
    brand: 'scoped',
    targeted: true,
    variables: (c) => ({ input: { brandId: seedOf(c).brandId, name: unique('New campaign'), objective: 'SALES' } }),
  },
  updateCampaign: {
    access: 'EDITOR',
    brand: 'scoped',
    targeted: true,
    variables: (c) => ({ input: { id: seedOf(c).campaignId, brief: 'Updated' } }),
  },
  deleteCampaign: {
    access: 'EDITOR',
    brand: 'scoped',
    targeted: true,
    variables: async (c) => ({ id: c.target === 'brand1' ? c.fx.brand1.campaignId : await freshCampaign(c) }),
  },
  jobs: { access: 'VIEWER', brand: 'scoped', lists: true, variables: () => ({ first: 50 }) },
  job: { access: 'VIEWER', brand: 'scoped', targeted: true, variables: (c) => ({ id: seedOf(c).jobId }) },
  generateCopy: {
    access: 'EDITOR',
    brand: 'scoped',
    targeted: true,
    variables: (c) => ({ input: { brandId: seedOf(c).brandId, channel: 'META_HEADLINE', brief: 'Spring', variants: 1 } }),
  },
  generateAdImages: {
    access: 'EDITOR',
    brand: 'scoped',
    targeted: true,
    variables: (c) => ({
      input: { brandId: seedOf(c).brandId, prompt: 'A cup of coffee', headline: 'Spring', formats: ['SQUARE'], variants: 1 },
    }),
  },
  cancelJob: {
    access: 'EDITOR',
    brand: 'scoped',
    targeted: true,
    variables: async (c) => ({ id: c.target === 'brand1' ? c.fx.brand1.jobId : await freshJob(c) }),
  },
  approveVariant: { access: 'EDITOR', brand: 'scoped', targeted: true, variables: (c) => ({ id: seedOf(c).variantId }) },
  rejectVariant: { access: 'EDITOR', brand: 'scoped', targeted: true, variables: (c) => ({ id: seedOf(c).variantId }) },
  submitVariantForReview: {
    access: 'EDITOR',
    brand: 'scoped',
    targeted: true,
    variables: async (c) => ({ id: await freshVariant(c, 'DRAFT') }),
  },
  requestVariantChanges: {
    access: 'EDITOR',
    brand: 'scoped',
    targeted: true,
    variables: async (c) => ({ id: await freshVariant(c, 'IN_REVIEW') }),
  },
  editVariant: {
    access: 'EDITOR',
    brand: 'scoped',
    targeted: true,
    variables: (c) => ({ id: seedOf(c).variantId, text: seedOf(c).variantText }),
  },
  generationUpdated: { access: 'VIEWER', brand: 'scoped', targeted: true, variables: (c) => ({ jobId: seedOf(c).jobId }) },

  // The whole workspace: a brand-limited key is refused.
  createBrand: { access: 'EDITOR', brand: 'workspace', variables: () => ({ input: { name: unique('Brand') } }) },
  deleteBrand: {
    access: 'ADMIN',
    brand: 'workspace',
    variables: async (c) => ({
      id: (await asOwner(c, `mutation($n: String!) { createBrand(input: { name: $n }) { id } }`, { n: unique('Doomed') })).createBrand.id,
    }),
  },
  workspace: { access: 'VIEWER', brand: 'workspace', variables: none },
  renameWorkspace: { access: 'ADMIN', brand: 'workspace', variables: () => ({ name: 'Owner Co' }) },
  members: { access: 'VIEWER', brand: 'workspace', variables: none },
  changeMemberRole: {
    access: 'OWNER',
    brand: 'workspace',
    variables: async (c) => ({ input: { memberId: await freshMember(c), role: 'VIEWER' } }),
  },
  removeMember: { access: 'OWNER', brand: 'workspace', variables: async (c) => ({ memberId: await freshMember(c) }) },
  invitations: { access: 'ADMIN', brand: 'workspace', variables: none },
  inviteMember: {
    access: 'ADMIN',
    brand: 'workspace',
    variables: () => ({ input: { email: `${unique('invitee').replace(/ /g, '-')}@example.com`, role: 'VIEWER' } }),
  },
  revokeInvitation: {
    access: 'ADMIN',
    brand: 'workspace',
    variables: async (c) => ({
      id: (
        await asOwner(c, `mutation($e: String!) { inviteMember(input: { email: $e, role: VIEWER }) { invitation { id } } }`, {
          e: `${unique('revoked').replace(/ /g, '-')}@example.com`,
        })
      ).inviteMember.invitation.id,
    }),
  },
  apiKeys: { access: 'VIEWER', brand: 'workspace', variables: none },
  createApiKey: { access: 'EDITOR', brand: 'workspace', variables: () => ({ input: { name: unique('key'), scopes: ['READ'] } }) },
  revokeApiKey: { access: 'EDITOR', brand: 'workspace', variables: async (c) => ({ id: await freshKey(c) }) },
  webhookEndpoints: { access: 'ADMIN', brand: 'workspace', variables: none },
  createWebhookEndpoint: {
    access: 'ADMIN',
    brand: 'workspace',
    variables: () => ({ input: { url: 'https://hooks.example.com/sweep', events: ['JOB_COMPLETED'] } }),
  },
  deleteWebhookEndpoint: {
    access: 'ADMIN',
    brand: 'workspace',
    variables: async (c) => ({
      id: (
        await asOwner(
          c,
          `mutation { createWebhookEndpoint(input: { url: "https://hooks.example.com/doomed", events: [JOB_FAILED] }) { endpoint { id } } }`,
        )
      ).createWebhookEndpoint.endpoint.id,
    }),
  },
  webhookDeliveries: { access: 'ADMIN', brand: 'workspace', variables: () => ({ first: 50 }) },
  usage: { access: 'VIEWER', brand: 'workspace', variables: none },
  billing: { access: 'VIEWER', brand: 'workspace', variables: none },
  plans: { access: 'VIEWER', brand: 'workspace', variables: none },
  invoices: {
    access: 'VIEWER',
    brand: 'workspace',
    allowedErrors: ['CONFLICT'],
    variables: () => ({ first: 5 }),
  },
  auditEvents: { access: 'ADMIN', brand: 'workspace', variables: () => ({ first: 50 }) },
  auditEventsExport: { access: 'ADMIN', brand: 'workspace', variables: () => ({ format: 'JSONL' }) },
  billingAlerts: { access: 'VIEWER', brand: 'workspace', variables: none },
  markBillingAlertRead: {
    access: 'VIEWER',
    brand: 'workspace',
    variables: async (c) => {
      const [row] = await c.fx.sql(
        `INSERT INTO billing_alerts (workspace_id, kind, period_start, credits_used, credit_limit)
         VALUES ($1, 'CREDITS_80', now() - make_interval(secs => $2), 80, 100) RETURNING id`,
        [c.fx.owner.workspaceId, ++serial],
      );
      return { id: row.id };
    },
  },
  setSpendCap: { access: 'ADMIN', brand: 'workspace', variables: () => ({ spendCapCents: 5000 }) },
  createCheckoutSession: {
    access: 'ADMIN',
    brand: 'workspace',
    allowedErrors: ['CONFLICT'],
    variables: () => ({ plan: 'PRO' }),
  },
  createBillingPortalSession: {
    access: 'ADMIN',
    brand: 'workspace',
    allowedErrors: ['CONFLICT'],
    variables: none,
  },
};

/** Whether a member of `role` may call the operation. */
export function allowedFor(spec: OperationSpec, role: RoleName): boolean {
  if (spec.access === 'public' || spec.access === 'signedIn') return true;
  return rank[role] >= rank[spec.access];
}

export interface SchemaOperation {
  name: string;
  kind: 'query' | 'mutation' | 'subscription';
  field: GraphQLField<unknown, unknown>;
}

/** Every root field of the live schema, read by introspection. */
export async function schemaOperations(url: string, token: string): Promise<SchemaOperation[]> {
  const introspection = await ok<IntrospectionQuery>(url, getIntrospectionQuery(), {}, token);
  const schema = buildClientSchema(introspection);
  const roots = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ] as const;
  return roots.flatMap(([kind, type]) => (type ? Object.values(type.getFields()).map((field) => ({ name: field.name, kind, field })) : []));
}

/**
 * Every field a client could ask for without arguments, a few levels deep, so that anything the
 * answer carries (ids, names, texts, payloads) is in the text the sweep searches.
 */
function selectionOf(type: GraphQLOutputType, depth: number): string | null {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (!isObjectType(named) || depth === 0) return null;
  const parts: string[] = [];
  for (const field of Object.values(named.getFields())) {
    if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const inner = selectionOf(field.type, depth - 1);
    if (inner === '') parts.push(field.name);
    else if (inner) parts.push(`${field.name} ${inner}`);
  }
  return parts.length ? `{ ${parts.join(' ')} }` : null;
}

export function operationText(op: SchemaOperation): string {
  const defs = op.field.args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const args = op.field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  // A deleted row's own fields only: its results (a campaign's variants) went with it.
  const selection = selectionOf(op.field.type, op.name.startsWith('delete') ? 1 : 6) ?? '';
  return `${op.kind} Sweep${defs ? `(${defs})` : ''} { ${op.name}${args ? `(${args})` : ''} ${selection} }`;
}

/** Runs one operation: over HTTP, or over graphql-ws up to its first event for a subscription. */
export async function run(
  url: string,
  op: SchemaOperation,
  query: string,
  variables: Record<string, unknown>,
  token: string,
): Promise<GraphqlResult> {
  if (op.kind !== 'subscription') return gql(url, query, variables, token);
  const client = createClient({
    url: url.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 0,
    lazy: true,
  });
  try {
    return await new Promise<GraphqlResult>((resolve) => {
      const stop = client.subscribe(
        { query, variables },
        {
          next: (value) => {
            resolve({
              status: 200,
              data: (value.data as Record<string, unknown>) ?? null,
              errors: value.errors as GraphqlResult['errors'],
              headers: new Headers(),
            });
            stop();
          },
          error: (err) => {
            const errors = Array.isArray(err)
              ? err
              : [{ message: String((err as { reason?: string }).reason ?? err), extensions: { code: 'CONNECTION' } }];
            resolve({ status: 200, data: null, errors: errors as GraphqlResult['errors'], headers: new Headers() });
          },
          complete: () => resolve({ status: 200, data: null, errors: [{ message: 'completed without an event' }], headers: new Headers() }),
        },
      );
    });
  } finally {
    await client.dispose();
  }
}

/** Rate limits and query-cost limits out of the way: the sweeps make a few hundred calls. */
export function startSweepApp(): Promise<TestApp> {
  const unlimited = [
    'RATE_LIMIT_WORKSPACE_PER_WINDOW',
    'RATE_LIMIT_API_KEY_PER_WINDOW',
    'RATE_LIMIT_ANONYMOUS_PER_WINDOW',
    'RATE_LIMIT_ADDRESS_PER_WINDOW',
    'RATE_LIMIT_LOGIN_FAILURES_PER_HOUR',
    'RATE_LIMIT_SIGN_UPS_PER_HOUR',
    'RATE_LIMIT_CREDENTIAL_FAILURES_PER_HOUR',
    'RATE_LIMIT_DEGRADED_PER_WINDOW',
    'GRAPHQL_MAX_COMPLEXITY',
  ];
  return startApp({ ...Object.fromEntries(unlimited.map((k) => [k, '1000000'])), GRAPHQL_MAX_DEPTH: '50' });
}

const VOICE_REPORT = {
  characters: 20,
  maxChars: 40,
  requiredTermsMissing: [],
  bannedTermsFound: [],
  readingGrade: 5,
  checks: [],
  score: 80,
};

/**
 * One workspace (on the Agency plan, for its seats) with two brands, each with a logo, a campaign,
 * a queued job, a copy variant, an image asset and a webhook delivery; members of every role; a
 * second workspace whose owner sends invitations; someone to log in as.
 */
export async function seedWorkspace(api: TestApp): Promise<Fixture> {
  const sql: Fixture['sql'] = async (text, params = []) => {
    const client = new pg.Client({ connectionString: api.database.url });
    await client.connect();
    try {
      return (await client.query(text, params)).rows;
    } finally {
      await client.end();
    }
  };
  const agency = (workspaceId: string) =>
    sql(
      `INSERT INTO billing_accounts (workspace_id, plan) VALUES ($1, 'AGENCY') ON CONFLICT (workspace_id) DO UPDATE SET plan = 'AGENCY'`,
      [workspaceId],
    );
  const owner = await signUp(api.url, 'Owner');
  await agency(owner.workspaceId);
  const as = (query: string, variables: Record<string, unknown> = {}) => ok(api.url, query, variables, owner.token);
  const png = (
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#123456' } })
      .png()
      .toBuffer()
  ).toString('base64');
  const endpoint = await as(
    `mutation { createWebhookEndpoint(input: { url: "https://hooks.example.com/seed", events: [JOB_COMPLETED] }) { endpoint { id } } }`,
  );
  const endpointId: string = endpoint.createWebhookEndpoint.endpoint.id;

  const seedBrand = async (word: string): Promise<BrandSeed> => {
    const brandName = `${word} Secret Brand`;
    const campaignName = `${word} Secret Campaign`;
    const variantText = `${word} secret words`;
    const brand = await as(`mutation($n: String!, $l: LogoInput) { createBrand(input: { name: $n, logo: $l }) { id } }`, {
      n: brandName,
      l: { base64: png, mimeType: 'image/png' },
    });
    const brandId: string = brand.createBrand.id;
    const campaign = await as(
      `mutation($b: ID!, $n: String!) { createCampaign(input: { brandId: $b, name: $n, objective: SALES }) { id } }`,
      {
        b: brandId,
        n: campaignName,
      },
    );
    const campaignId: string = campaign.createCampaign.id;
    const job = await as(
      `mutation($b: ID!, $c: ID) { generateCopy(input: { brandId: $b, campaignId: $c, channel: META_HEADLINE, brief: "Spring", variants: 1 }) { id } }`,
      { b: brandId, c: campaignId },
    );
    const jobId: string = job.generateCopy.id;
    // Results as a worker would write them (no worker runs in these files).
    const [variant] = await sql(
      `INSERT INTO copy_variants (workspace_id, job_id, brand_id, campaign_id, channel, rank, text, seed, voice_report, voice_score)
       VALUES ($1, $2, $3, $4, 'META_HEADLINE', 0, $5, 1, $6, 80) RETURNING id`,
      [owner.workspaceId, jobId, brandId, campaignId, variantText, JSON.stringify(VOICE_REPORT)],
    );
    const [asset] = await sql(
      `INSERT INTO assets (workspace_id, job_id, brand_id, campaign_id, variant, format, file_kind, storage_key, mime_type, width, height, size_bytes)
       VALUES ($1, $2, $3, $4, 0, 'SQUARE', 'PNG', $5, 'image/png', 8, 8, 100) RETURNING id`,
      [owner.workspaceId, jobId, brandId, campaignId, `sweep/${jobId}.png`],
    );
    const payload = {
      id: `job.completed:${jobId}`,
      type: 'job.completed',
      createdAt: new Date().toISOString(),
      data: { job: { id: jobId, brandId, name: brandName } },
    };
    const [delivery] = await sql(
      `INSERT INTO webhook_deliveries (workspace_id, endpoint_id, event, event_key, payload) VALUES ($1, $2, 'job.completed', $3, $4) RETURNING id`,
      [owner.workspaceId, endpointId, payload.id, JSON.stringify(payload)],
    );
    return {
      brandId,
      brandName,
      campaignId,
      campaignName,
      jobId,
      variantId: variant.id as string,
      variantText,
      assetId: asset.id as string,
      deliveryId: delivery.id as string,
    };
  };
  const brand1 = await seedBrand('Zulu');
  const brand2 = await seedBrand('Yankee');

  const members = { OWNER: { kind: 'user', token: owner.token, label: 'OWNER', email: owner.email, role: 'OWNER' } } as Record<
    RoleName,
    Caller
  >;
  for (const role of ['ADMIN', 'EDITOR', 'VIEWER'] as const) {
    const person = await signUp(api.url, role.toLowerCase());
    const invite = await as(`mutation($e: String!, $r: Role!) { inviteMember(input: { email: $e, role: $r }) { token } }`, {
      e: person.email,
      r: role,
    });
    await ok(api.url, `mutation($t: String!) { acceptInvitation(token: $t) { id } }`, { t: invite.inviteMember.token }, person.token);
    // A fresh sign-in: the token names the workspace it acts in.
    const session = await ok(
      api.url,
      `mutation($w: ID!) { switchWorkspace(workspaceId: $w) { accessToken } }`,
      { w: owner.workspaceId },
      person.token,
    );
    members[role] = { kind: 'user', token: session.switchWorkspace.accessToken, label: role, email: person.email, role };
  }
  const elsewhere = await signUp(api.url, 'Elsewhere');
  await agency(elsewhere.workspaceId);
  const lurker = await signUp(api.url, 'Lurker');
  const fx: Fixture = { owner, members, brand1, brand2, elsewhere, lurker, sql };
  assert.ok(brand1.brandId !== brand2.brandId);
  return fx;
}
