import type { AuditEventEntity } from './audit-event.entity';
import { AuditExportFormat } from './audit-event.model';

const COLUMNS = [
  'id',
  'createdAt',
  'actorKind',
  'actorUserId',
  'actorApiKeyId',
  'actorRole',
  'operation',
  'entityType',
  'entityId',
  'beforeHash',
  'afterHash',
  'outcome',
  'errorCode',
  'requestId',
] as const satisfies ReadonlyArray<keyof AuditEventEntity>;

/**
 * RFC 4180 quoting, and a leading quote on cells a spreadsheet would run as a formula
 * (`=`, `+`, `-`, `@`): operation names and ids are ours, but entity ids can echo client input.
 */
function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  let text = value instanceof Date ? value.toISOString() : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n']/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rows as CSV (header first, CRLF line ends) or JSONL (one object per line). */
export function formatAuditEvents(rows: AuditEventEntity[], format: AuditExportFormat): string {
  if (format === AuditExportFormat.JSONL) {
    return (
      rows.map((row) => JSON.stringify(Object.fromEntries(COLUMNS.map((c) => [c, row[c] ?? null])))).join('\n') + (rows.length ? '\n' : '')
    );
  }
  const lines = [COLUMNS.join(','), ...rows.map((row) => COLUMNS.map((c) => csvCell(row[c])).join(','))];
  return lines.join('\r\n') + '\r\n';
}
