export { BrandwrightClient, BrandwrightError, type ClientOptions } from './client';
export { verifyWebhook, type WebhookCheck, type WebhookEvent } from './webhooks';
export * from './generated';
