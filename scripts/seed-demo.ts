/**
 * The demo workspace `npm start` prints: a user, a brand with a full voice profile, a campaign and
 * an API key. Idempotent: a second run finds them and only re-mints the key if it was revoked.
 * Prints one JSON line `{ email, password, apiKey, workspaceId }` for scripts/start.mjs.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { hashPassword } from '../apps/api/src/auth/password';
import { mintApiKey, parseApiKey } from '../apps/api/src/api-keys/api-key-format';

export const DEMO_EMAIL = 'demo@brandwright.local';
export const DEMO_PASSWORD = 'brandwright-demo';

async function main(): Promise<void> {
  const knownKey = process.argv[2] ?? '';
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query('BEGIN');
    let user = (await client.query(`SELECT id FROM users WHERE lower(email) = $1`, [DEMO_EMAIL])).rows[0] as { id: string } | undefined;
    let workspaceId: string;
    if (!user) {
      user = (
        await client.query(`INSERT INTO users (email, name, password_hash) VALUES ($1, 'Demo Marketer', $2) RETURNING id`, [
          DEMO_EMAIL,
          await hashPassword(DEMO_PASSWORD),
        ])
      ).rows[0];
      workspaceId = randomUUID();
      await client.query(`SELECT set_config('app.workspace_id', $1, true)`, [workspaceId]);
      await client.query(`INSERT INTO workspaces (id, name, slug) VALUES ($1, 'Demo Agency', $2)`, [
        workspaceId,
        `demo-agency-${workspaceId.slice(0, 6)}`,
      ]);
      await client.query(`INSERT INTO memberships (workspace_id, user_id, role) VALUES ($1, $2, 'OWNER')`, [workspaceId, user!.id]);
      const brand = await client.query(
        `INSERT INTO brands (workspace_id, name, description, audience, tone_traits, preferred_terms, required_terms, banned_terms,
                             style_rules, example_copy, palette, heading_font, body_font)
         VALUES ($1, 'Northwind Coffee', $2, $3, $4, $5, $6, $7, $8, $9, $10, 'Inter', 'Inter') RETURNING id`,
        [
          workspaceId,
          'Small-batch coffee roasted in Leeds and delivered the week it is roasted.',
          'Busy professionals, 25–45, who care where their coffee comes from but have no time for fuss.',
          JSON.stringify([
            { weAre: 'warm', weAreNot: 'gushing' },
            { weAre: 'confident', weAreNot: 'arrogant' },
            { weAre: 'plain-spoken', weAreNot: 'jargon-heavy' },
          ]),
          ['freshly roasted', 'small-batch', 'delivered'],
          ['Northwind'],
          ['cheap', 'artisanal', 'best ever'],
          JSON.stringify({
            oxfordComma: true,
            contractions: true,
            exclamationMarks: false,
            emoji: false,
            headlineCase: 'sentence',
            targetReadingGrade: 8,
          }),
          ['Coffee that was a bean last Tuesday.', 'Roasted in Leeds, at your door by Friday.'],
          ['#1F3A5F', '#F4EDE4', '#C8553D'],
        ],
      );
      await client.query(
        `INSERT INTO campaigns (workspace_id, brand_id, name, objective, channels, brief, status)
         VALUES ($1, $2, 'Spring subscription push', 'SALES', $3, $4, 'ACTIVE')`,
        [
          workspaceId,
          brand.rows[0].id,
          ['GOOGLE_RSA_HEADLINE', 'META_PRIMARY_TEXT', 'EMAIL_SUBJECT'],
          'Launch the spring subscription: first bag free, cancel any time.',
        ],
      );
    } else {
      workspaceId = (await client.query(`SELECT workspace_id FROM memberships WHERE user_id = $1 ORDER BY created_at LIMIT 1`, [user.id]))
        .rows[0].workspace_id;
      await client.query(`SELECT set_config('app.workspace_id', $1, true)`, [workspaceId]);
    }

    let apiKey = knownKey;
    const parsed = parseApiKey(knownKey);
    const valid = parsed
      ? (
          await client.query(`SELECT 1 FROM api_keys WHERE prefix = $1 AND secret_hash = $2 AND revoked_at IS NULL AND workspace_id = $3`, [
            parsed.prefix,
            parsed.secretHash,
            workspaceId,
          ])
        ).rowCount
      : 0;
    if (!valid) {
      const minted = mintApiKey();
      await client.query(
        `INSERT INTO api_keys (workspace_id, created_by, name, prefix, secret_hash, scopes) VALUES ($1, $2, 'Demo agency key', $3, $4, $5)`,
        [workspaceId, user!.id, minted.prefix, minted.secretHash, ['read', 'generate', 'manage']],
      );
      apiKey = minted.plaintext;
    }
    await client.query('COMMIT');
    console.log(JSON.stringify({ email: DEMO_EMAIL, password: DEMO_PASSWORD, apiKey, workspaceId }));
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    await client.end();
  }
}

main().catch((err: Error) => {
  console.error(`seeding the demo workspace failed: ${err.message}`);
  process.exit(1);
});
