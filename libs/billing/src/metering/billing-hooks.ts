import type { EntityManager } from 'typeorm';

export enum BillingAlertKind {
  CREDITS_80 = 'CREDITS_80',
  CREDITS_100 = 'CREDITS_100',
}

/** An alert as stored in billing_alerts and handed to listeners. */
export interface BillingAlert {
  id: string;
  workspaceId: string;
  kind: BillingAlertKind;
  periodStart: Date;
  creditsUsed: number;
  creditLimit: number;
  createdAt: Date;
  readAt: Date | null;
}

/**
 * Called once per new alert, inside the transaction that recorded the usage (so a client-webhook
 * outbox row written with `db` commits or rolls back with it). Keep listeners to database writes.
 */
export type BillingAlertListener = (alert: BillingAlert, db: EntityManager) => Promise<void> | void;

/**
 * Where other modules subscribe to billing events (the webhooks module turns alerts into client
 * webhook deliveries). Billing never calls client webhooks itself.
 */
export class BillingHooks {
  private readonly alertListeners = new Set<BillingAlertListener>();

  /** Subscribes; returns a function that unsubscribes. */
  onAlert(listener: BillingAlertListener): () => void {
    this.alertListeners.add(listener);
    return () => this.alertListeners.delete(listener);
  }

  async emitAlert(alert: BillingAlert, db: EntityManager): Promise<void> {
    for (const listener of this.alertListeners) await listener(alert, db);
  }
}

/** The process-wide hooks the ledger functions use unless given others. */
export const billingHooks = new BillingHooks();
