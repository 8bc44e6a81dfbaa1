import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Review of copy variants, bound to the exact text (docs/audit.md, "Review"):
 * - `content_hash` is the SHA-256 of the variant's current text, computed by PostgreSQL, so it is
 *   never stale;
 * - an approval records the hash it approved (`approved_hash`), when and by whom;
 * - a trigger puts any variant whose text changes back to DRAFT and counts a new version, so no
 *   code path can edit approved copy and leave it approved; a CHECK makes "APPROVED" mean "this
 *   exact text was approved";
 * - IN_REVIEW and CHANGES_REQUESTED join DRAFT, APPROVED and REJECTED.
 */
export class VariantReview1796173568333 implements MigrationInterface {
  name = 'VariantReview1796173568333';

  async up(q: QueryRunner): Promise<void> {
    // convert_to is only STABLE; a database's encoding never changes, so the hash of a text is fixed.
    await q.query(`CREATE FUNCTION content_sha256(content text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE
      AS $$ SELECT encode(sha256(convert_to(content, 'UTF8')), 'hex') $$`);
    await q.query(`ALTER TABLE copy_variants DROP CONSTRAINT IF EXISTS copy_variants_status_check`);
    await q.query(`ALTER TABLE copy_variants
      ADD CONSTRAINT copy_variants_status_check CHECK (status IN ('DRAFT', 'IN_REVIEW', 'APPROVED', 'CHANGES_REQUESTED', 'REJECTED')),
      ADD COLUMN content_hash text GENERATED ALWAYS AS (content_sha256(text)) STORED,
      ADD COLUMN version integer NOT NULL DEFAULT 1,
      ADD COLUMN approved_hash text,
      ADD COLUMN approved_at timestamptz,
      ADD COLUMN approved_by uuid`);
    // Variants approved before this were approved as they are now.
    await q.query(`UPDATE copy_variants SET approved_hash = content_hash, approved_at = updated_at WHERE status = 'APPROVED'`);
    await q.query(`ALTER TABLE copy_variants ADD CONSTRAINT copy_variants_approved_exact
      CHECK (status <> 'APPROVED' OR approved_hash = content_hash)`);
    await q.query(`CREATE FUNCTION copy_variants_edit_voids_approval() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.text IS DISTINCT FROM OLD.text THEN
          NEW.version := OLD.version + 1;
          NEW.status := 'DRAFT';
        END IF;
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER copy_variants_edit_voids_approval BEFORE UPDATE OF text ON copy_variants
      FOR EACH ROW EXECUTE FUNCTION copy_variants_edit_voids_approval()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER IF EXISTS copy_variants_edit_voids_approval ON copy_variants`);
    await q.query(`DROP FUNCTION IF EXISTS copy_variants_edit_voids_approval()`);
    await q.query(`ALTER TABLE copy_variants DROP CONSTRAINT IF EXISTS copy_variants_approved_exact,
      DROP COLUMN approved_by, DROP COLUMN approved_at, DROP COLUMN approved_hash, DROP COLUMN version, DROP COLUMN content_hash`);
    await q.query(`ALTER TABLE copy_variants DROP CONSTRAINT IF EXISTS copy_variants_status_check`);
    await q.query(
      `ALTER TABLE copy_variants ADD CONSTRAINT copy_variants_status_check CHECK (status IN ('DRAFT', 'APPROVED', 'REJECTED'))`,
    );
    await q.query(`DROP FUNCTION IF EXISTS content_sha256(text)`);
  }
}
