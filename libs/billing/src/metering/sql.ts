import type { EntityManager } from 'typeorm';

/**
 * TypeORM returns `[rows, rowCount]` for UPDATE and DELETE but plain rows for SELECT and INSERT;
 * this gives the rows of an UPDATE … RETURNING either way.
 */
export async function updateReturning<T>(db: EntityManager, sql: string, params: unknown[]): Promise<T[]> {
  const result = await db.query(sql, params);
  return Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number'
    ? (result[0] as T[])
    : (result as T[]);
}
