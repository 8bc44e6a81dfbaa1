import { Args, Int, Query, Resolver } from '@nestjs/graphql';
import { Access } from '../common/auth/decorators';
import { ApiKeyScope, Role } from '../common/auth/actor';
import { BadUserInputError } from '../common/errors/app-error';
import { PageArgs } from '../common/pagination/pagination';
import { validate } from '../common/validation/validate';
import { formatAuditEvents } from './audit-export';
import { AuditEventConnection, AuditEventFilter, auditEventFilterSchema, AuditEventModel, AuditExportFormat } from './audit-event.model';
import { AuditService } from './audit.service';

export const MAX_EXPORT_ROWS = 10_000;

/**
 * The audit log, for OWNER and ADMIN members and keys with the manage scope. It is workspace-wide,
 * so a brand-limited key is refused (no @BrandScoped): it would show other brands' work.
 */
@Resolver(() => AuditEventModel)
export class AuditResolver {
  constructor(private readonly audit: AuditService) {}

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Query(() => AuditEventConnection, { description: 'The workspace’s audit log, newest first.' })
  auditEvents(
    @Args({ type: () => PageArgs }) page: PageArgs,
    @Args('filter', { type: () => AuditEventFilter, nullable: true }) filter?: AuditEventFilter,
  ): Promise<AuditEventConnection> {
    return this.audit.list(
      validate(auditEventFilterSchema, filter ?? {}, 'filter'),
      page.first,
      page.after,
    ) as Promise<AuditEventConnection>;
  }

  @Access(Role.ADMIN, ApiKeyScope.MANAGE)
  @Query(() => String, {
    description: `The audit log as text to save (CSV or JSONL), newest first, at most ${MAX_EXPORT_ROWS} rows per call; narrow with since/until for more. The export is itself audited.`,
  })
  async auditEventsExport(
    @Args('format', { type: () => AuditExportFormat }) format: AuditExportFormat,
    @Args('filter', { type: () => AuditEventFilter, nullable: true }) filter?: AuditEventFilter,
    @Args('limit', { type: () => Int, nullable: true, description: `1–${MAX_EXPORT_ROWS}, default ${MAX_EXPORT_ROWS}.` }) limit?: number,
  ): Promise<string> {
    const rows = limit ?? MAX_EXPORT_ROWS;
    if (!Number.isInteger(rows) || rows < 1 || rows > MAX_EXPORT_ROWS)
      throw new BadUserInputError('limit', `must be between 1 and ${MAX_EXPORT_ROWS}`);
    return formatAuditEvents(await this.audit.all(validate(auditEventFilterSchema, filter ?? {}, 'filter'), rows), format);
  }
}
