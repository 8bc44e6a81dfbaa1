import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A copy variant that still breaks a hard rule of the brand's voice after the engine's tries is
 * stored as failing (`passes_hard_rules` false); approving one needs a reason, kept in
 * `approval_reason`. Variants stored before this carry their old voice report: a failed hard check
 * in it (length, required or banned terms, exclamation marks, emoji, case, empty copy) marks them
 * failing too.
 */
export class VariantHardRules1796171801609 implements MigrationInterface {
  name = 'VariantHardRules1796171801609';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE copy_variants
      ADD COLUMN passes_hard_rules boolean NOT NULL DEFAULT true,
      ADD COLUMN approval_reason text CHECK (char_length(approval_reason) <= 1000)`);
    await q.query(`UPDATE copy_variants SET passes_hard_rules = false
      WHERE EXISTS (
        SELECT 1 FROM jsonb_array_elements(voice_report->'checks') c
         WHERE (c->>'passed')::boolean = false
           AND c->>'rule' IN ('not_empty', 'length', 'required_terms', 'banned_terms', 'exclamation', 'emoji', 'contractions', 'case')
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE copy_variants DROP COLUMN approval_reason, DROP COLUMN passes_hard_rules`);
  }
}
