// @brandwright/billing: plans, the usage ledger and Stripe. Plain TypeScript; the API's Nest
// modules (apps/api/src/billing, apps/api/src/usage) are thin facades over these.
export * from './billing.exception';
export * from './plans/meters';
export * from './plans/plans';
export * from './tenant-tx';
export * from './metering/billing-account';
export * from './metering/billing-alerts';
export * from './metering/credit-standing';
export * from './metering/ledger';
export * from './metering/spend-cap';
export * from './metering/usage-report';
export * from './stripe/billing-gateway';
export * from './stripe/stripe-client';
export * from './stripe/stripe-setup';
export * from './stripe/stripe-webhook-handler';
export * from './stripe/usage-reconciliation';
export * from './stripe/usage-reporter';
