import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';

/**
 * What a mutation may add to its own audit row: the entity it really acted on and the content
 * hashes before and after (an approval's exact version). The audit interceptor records every
 * mutation whether or not anything is noted; a note only makes the row more precise.
 */
export interface AuditNote {
  entityType?: string;
  entityId?: string;
  beforeHash?: string | null;
  afterHash?: string | null;
}

const notes = new AsyncLocalStorage<AuditNote>();

export const auditNotes = {
  run<T>(note: AuditNote, fn: () => T): T {
    return notes.run(note, fn);
  },
};

/** Adds details to the audit row of the operation running now (a no-op outside one). */
export function noteForAudit(details: AuditNote): void {
  const note = notes.getStore();
  if (note) Object.assign(note, details);
}

/** The SHA-256 of a version's content, as the audit log and approvals record it. */
export function contentHash(content: string): string {
  return createHash('sha256').update(content, 'utf8').digest('hex');
}
