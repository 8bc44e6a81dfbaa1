import type { DataSource, EntityManager } from 'typeorm';

/**
 * Runs work in one transaction with the row-level security settings set. The API's TenantDb
 * satisfies this as it is; tests and the benchmark use `dataSourceTx` below.
 */
export interface TenantTx {
  with<T>(settings: { workspaceId?: string | null }, work: (db: EntityManager) => Promise<T>): Promise<T>;
}

/** A TenantTx over a bare DataSource (connected as the app role), for tests, scripts and benches. */
export function dataSourceTx(dataSource: DataSource): TenantTx {
  return {
    with: (settings, work) =>
      dataSource.transaction(async (db) => {
        await db.query(`SELECT set_config('app.workspace_id', $1, true)`, [settings.workspaceId ?? '']);
        return work(db);
      }),
  };
}

/** Makes the rest of this transaction see one workspace (after a lookup found which). */
export async function enterWorkspace(db: EntityManager, workspaceId: string): Promise<void> {
  await db.query(`SELECT set_config('app.workspace_id', $1, true)`, [workspaceId]);
}
