import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { GqlExecutionContext } from '@nestjs/graphql';
import { CodedError } from '@brandwright/errors';
import { getNamedType, isLeafType, type GraphQLResolveInfo } from 'graphql';
import { Observable, catchError, concatMap, from, mergeMap, throwError } from 'rxjs';
import type { Actor } from '../common/auth/actor';
import type { GraphqlContext } from '../common/graphql/graphql-context';
import { type AuditNote, auditNotes } from './audit-note';
import { type AuditRecord, AuditService } from './audit.service';

/** Queries that hand data out of the product, and so are audited like mutations. */
export const AUDITED_QUERIES = new Set(['auditEventsExport']);

/**
 * The one place every GraphQL mutation is audited: a global interceptor around each root mutation
 * field (and the export queries), so no resolver can forget. It records success and failure,
 * after the resolver has finished, with who (the guard's actor, or the session a sign-in just
 * started), what (the field, the entity, hashes a service noted) and the request id.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType<string>() !== 'graphql') return next.handle();
    const gql = GqlExecutionContext.create(context);
    const info = gql.getInfo<GraphQLResolveInfo>();
    const audited = info.parentType.name === 'Mutation' || (info.parentType.name === 'Query' && AUDITED_QUERIES.has(info.fieldName));
    if (!audited) return next.handle();
    const req = gql.getContext<GraphqlContext>().req;
    const args = gql.getArgs<Record<string, unknown>>();
    const note: AuditNote = {};
    const record = (result: unknown, error: unknown) => recordOf(info, req?.actor, String(req?.id ?? ''), note, args, result, error);
    return new Observable((subscriber) =>
      auditNotes.run(note, () =>
        next
          .handle()
          .pipe(
            concatMap(async (result: unknown) => {
              await this.audit.append(record(result, null));
              return result;
            }),
            catchError((err: unknown) => from(this.audit.append(record(undefined, err))).pipe(mergeMap(() => throwError(() => err)))),
          )
          .subscribe(subscriber),
      ),
    );
  }
}

type Row = Record<string, unknown>;

function recordOf(
  info: GraphQLResolveInfo,
  actor: Actor | undefined,
  requestId: string,
  note: AuditNote,
  args: Row,
  result: unknown,
  error: unknown,
): AuditRecord {
  const returned = getNamedType(info.returnType);
  const session = sessionOf(result);
  const who = whoOf(actor, session);
  // A new or joined workspace is where that step belongs; a sign-in belongs to the session's workspace.
  const workspaceId =
    session?.workspaceId ?? (returned.name === 'Workspace' && actor?.kind === 'user' ? idOf(result) : null) ?? actor?.workspaceId ?? null;
  return {
    workspaceId,
    ...who,
    operation: info.fieldName,
    entityType: note.entityType ?? (isLeafType(returned) ? null : entityTypeOf(returned.name, result)),
    entityId: note.entityId ?? idOf(result) ?? nestedIdOf(result) ?? argumentIdOf(args),
    beforeHash: note.beforeHash ?? null,
    afterHash: note.afterHash ?? null,
    outcome: error === null ? 'SUCCEEDED' : 'FAILED',
    errorCode: error === null ? null : error instanceof CodedError ? error.clientCode : 'INTERNAL',
    requestId: requestId || null,
  };
}

function whoOf(
  actor: Actor | undefined,
  session: SessionShape | null,
): Pick<AuditRecord, 'actorKind' | 'actorUserId' | 'actorApiKeyId' | 'actorRole'> {
  if (actor?.kind === 'apiKey')
    return { actorKind: 'API_KEY', actorUserId: actor.createdBy, actorApiKeyId: actor.apiKeyId, actorRole: null };
  if (actor?.kind === 'user' && !session)
    return { actorKind: 'MEMBER', actorUserId: actor.userId, actorApiKeyId: null, actorRole: actor.role };
  if (session) return { actorKind: 'MEMBER', actorUserId: session.userId, actorApiKeyId: null, actorRole: session.role };
  return { actorKind: 'ANONYMOUS', actorUserId: null, actorApiKeyId: null, actorRole: null };
}

interface SessionShape {
  userId: string;
  workspaceId: string | null;
  role: string | null;
}

/** The answer of signUp, logIn, refreshSession and switchWorkspace: who is now signed in, where. */
function sessionOf(result: unknown): SessionShape | null {
  if (!result || typeof result !== 'object') return null;
  const r = result as Row;
  if (typeof r.userId !== 'string' || typeof r.accessToken !== 'string') return null;
  const workspace = r.workspace as Row | null | undefined;
  return {
    userId: r.userId,
    workspaceId: (r.workspaceId as string | null) ?? null,
    role: (workspace?.myRole as string | undefined) ?? null,
  };
}

function idOf(value: unknown): string | null {
  return value && typeof value === 'object' && typeof (value as Row).id === 'string' ? ((value as Row).id as string) : null;
}

/** `createApiKey` answers `{ apiKey: { id }, secret }`: the entity is the one object inside. */
function nestedIdOf(value: unknown): string | null {
  if (!value || typeof value !== 'object') return null;
  for (const inner of Object.values(value as Row)) {
    const id = idOf(inner);
    if (id) return id;
  }
  return null;
}

function argumentIdOf(args: Row): string | null {
  for (const key of ['id', 'memberId', 'jobId', 'workspaceId']) if (typeof args[key] === 'string') return args[key] as string;
  const input = args.input as Row | undefined;
  if (input && typeof input.id === 'string') return input.id;
  if (input && typeof input.memberId === 'string') return input.memberId;
  return null;
}

/** The entity a payload type carries (`CreatedApiKey` → `ApiKey`), else the type itself. */
function entityTypeOf(typeName: string, result: unknown): string {
  if (result && typeof result === 'object' && !idOf(result)) {
    for (const [key, inner] of Object.entries(result as Row)) if (idOf(inner)) return key.charAt(0).toUpperCase() + key.slice(1);
  }
  return typeName;
}
