import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import type { Type } from '@nestjs/common';
import type { SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import { z } from 'zod';
import { BadUserInputError } from '../errors/app-error';

@ObjectType()
export class PageInfo {
  @Field(() => String, { nullable: true, description: 'Pass as `after` to get the next page.' })
  endCursor: string | null;

  @Field()
  hasNextPage: boolean;
}

export interface Connection<T> {
  nodes: T[];
  pageInfo: PageInfo;
}

/** A `XConnection { nodes, pageInfo }` type for a node type. */
export function ConnectionOf<T>(node: Type<T>, name: string): Type<Connection<T>> {
  @ObjectType(name)
  class ConnectionType implements Connection<T> {
    @Field(() => [node])
    nodes: T[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;
  }
  return ConnectionType;
}

export const MAX_PAGE_SIZE = 100;

@ArgsType()
export class PageArgs {
  @Field(() => Int, { nullable: true, description: `1–${MAX_PAGE_SIZE}, default 20.` })
  first?: number;

  @Field(() => String, { nullable: true })
  after?: string;
}

const cursorShape = z.tuple([z.string().datetime({ offset: true }), z.string().uuid()]);

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    return cursorShape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new BadUserInputError('after', 'is not a cursor from this list');
  }
}

/**
 * Keyset pagination, newest first, on (created_at, id): stable under inserts, and an index scan
 * rather than an OFFSET.
 */
export async function paginate<T extends ObjectLiteral & { id: string; createdAt: Date }>(
  query: SelectQueryBuilder<T>,
  first: number | undefined,
  after: string | undefined,
): Promise<Connection<T>> {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
    throw new BadUserInputError('first', `must be between 1 and ${MAX_PAGE_SIZE}`);
  }
  // Cursors carry JavaScript's millisecond time; compare at that precision, not PostgreSQL's µs.
  const createdMs = `date_trunc('milliseconds', ${query.alias}.created_at)`;
  if (after) {
    const [createdAt, id] = decodeCursor(after);
    query.andWhere(`(${createdMs}, ${query.alias}.id) < (:cursorAt::timestamptz, :cursorId::uuid)`, { cursorAt: createdAt, cursorId: id });
  }
  const rows = await query
    .orderBy(createdMs, 'DESC')
    .addOrderBy(`${query.alias}.id`, 'DESC')
    .take(size + 1)
    .getMany();
  const nodes = rows.slice(0, size);
  const last = nodes[nodes.length - 1];
  return {
    nodes,
    pageInfo: { hasNextPage: rows.length > size, endCursor: last ? encodeCursor(last.createdAt, last.id) : null },
  };
}
