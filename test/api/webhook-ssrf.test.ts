import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { lookup as dnsLookup } from 'node:dns';
import { after, before, test } from 'node:test';
import type { Job } from 'bullmq';
import pino from 'pino';
import { request } from 'undici';
import { TenantDb } from '../../apps/api/src/database/tenant-db';
import { DeliverWebhookHandler } from '../../apps/api/src/webhooks/deliver-webhook.handler';
import { WebhookOutbox } from '../../apps/api/src/webhooks/webhook-outbox';
import { WebhookSecrets } from '../../apps/api/src/webhooks/webhook-secrets';
import { WebhookEvent } from '../../apps/api/src/webhooks/webhook-event';
import { createWebhookDispatcher, WebhookTargetError } from '../../apps/api/src/webhooks/webhook-target';
import type { WebhookDeliveryPayload } from '../../apps/api/src/jobs/job-names';
import type { AppConfig } from '../../apps/api/src/config/config';
import { startApp, type TestApp } from '../support/app';
import { ok, signUp } from '../support/graphql';

/** A real listener on 127.0.0.1: the thing a webhook must never reach unless the operator allows it. */
interface Receiver {
  server: Server;
  port: number;
  hits: string[];
}

async function listen(
  answer: (url: string) => { status: number; headers?: Record<string, string> } = () => ({ status: 204 }),
): Promise<Receiver> {
  const hits: string[] = [];
  const server = createServer((req, res) => {
    hits.push(req.url ?? '');
    req.resume();
    const { status, headers } = answer(req.url ?? '');
    res.writeHead(status, headers).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, hits };
}

/** The test's own DNS: hooks.brandwright.test answers 127.0.0.1, everything else as usual. */
const INSIDE_NAME = 'hooks.brandwright.test';
const testLookup: LookupFunction = (hostname, options, callback) => {
  if (hostname !== INSIDE_NAME) return dnsLookup(hostname, options, callback);
  if (options.all)
    return (callback as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  callback(null, '127.0.0.1', 4);
};

let api: TestApp;
let receiver: Receiver;
let elsewhere: Receiver;
let redirector: Receiver;
const logger = pino({ level: 'silent' });

before(async () => {
  api = await startApp();
  receiver = await listen();
  elsewhere = await listen();
  redirector = await listen(() => ({ status: 302, headers: { location: `http://127.0.0.1:${elsewhere.port}/stolen` } }));
});
after(async () => {
  for (const r of [receiver, elsewhere, redirector]) r?.server.close();
  await api?.close();
});

/** Registers an endpoint, records one delivery for it, runs the delivery handler once; returns the log row. */
async function deliverOnce(url: string, options: { allowPrivate: boolean }) {
  const owner = await signUp(api.url, 'Ssrf'); // a workspace of its own: one endpoint, one delivery
  const created = await ok(
    api.url,
    `mutation($url: String!) { createWebhookEndpoint(input: { url: $url, events: [JOB_COMPLETED] }) { endpoint { id } } }`,
    { url },
    owner.token,
  );
  const endpointId = created.createWebhookEndpoint.endpoint.id as string;
  const db = api.app.get(TenantDb, { strict: false });
  const [deliveryId] = await db.with({ workspaceId: owner.workspaceId }, (m) =>
    new WebhookOutbox(null as never, logger).record(m, owner.workspaceId, WebhookEvent.JOB_COMPLETED, `evt-${endpointId}`, { jobId: 'x' }),
  );
  assert.ok(deliveryId, 'a delivery row was recorded');
  const config = { values: { WEBHOOK_TIMEOUT_MS: 2_000, WEBHOOK_ALLOW_PRIVATE_TARGETS: options.allowPrivate } } as AppConfig;
  const handler = new DeliverWebhookHandler(db, api.app.get(WebhookSecrets, { strict: false }), config, logger, testLookup);
  const job = {
    data: { workspaceId: owner.workspaceId, deliveryId },
    attemptsMade: 0,
    opts: { attempts: 1 },
  } as Job<WebhookDeliveryPayload>;
  const outcome = await handler.handle(job).then(
    () => 'delivered',
    (err: Error) => err.message,
  );
  const log = await ok(
    api.url,
    `query($e: ID!) { webhookDeliveries(endpointId: $e) { nodes { id status lastError lastStatusCode attempts } } }`,
    { e: endpointId },
    owner.token,
  );
  const row = log.webhookDeliveries.nodes.find((n: { id: string }) => n.id === deliveryId);
  assert.ok(row, 'the delivery is in the log');
  return { outcome, row };
}

test('a name that resolves to 127.0.0.1 is refused at connect time; the listener receives nothing', async () => {
  // Registration cannot see it (the name does not resolve for the api); the connect-time check must.
  const { outcome, row } = await deliverOnce(`http://${INSIDE_NAME}:${receiver.port}/hook`, { allowPrivate: false });
  assert.match(outcome, /refused: private address/);
  assert.equal(row.status, 'FAILED');
  assert.equal(row.lastError, 'refused: private address');
  assert.equal(row.lastStatusCode, null);
  assert.deepEqual(receiver.hits, []);
});

test('the operator’s switch (WEBHOOK_ALLOW_PRIVATE_TARGETS) is what lets the same delivery through', async () => {
  const { outcome, row } = await deliverOnce(`http://${INSIDE_NAME}:${receiver.port}/allowed`, { allowPrivate: true });
  assert.equal(outcome, 'delivered');
  assert.equal(row.status, 'DELIVERED');
  assert.deepEqual(receiver.hits, ['/allowed']);
});

test('a redirect is not followed: the log shows the 302 and the redirect target receives nothing', async () => {
  const { row } = await deliverOnce(`http://${INSIDE_NAME}:${redirector.port}/moved`, { allowPrivate: true });
  assert.equal(row.lastStatusCode, 302);
  assert.equal(row.lastError, 'the endpoint answered 302');
  assert.deepEqual(redirector.hits, ['/moved']);
  assert.deepEqual(elsewhere.hits, []);
});

test('a closed port reads "connection failed", not socket text', async () => {
  const closed = await listen();
  closed.server.close();
  const { row } = await deliverOnce(`http://${INSIDE_NAME}:${closed.port}/hook`, { allowPrivate: true });
  assert.equal(row.lastError, 'connection failed');
  assert.doesNotMatch(JSON.stringify(row), /ECONNREFUSED|fetch failed|127\.0\.0\.1/);
});

test('IP literals in every loopback spelling are refused by the dispatcher itself', async () => {
  const dispatcher = createWebhookDispatcher({ allowPrivate: false, connectTimeoutMs: 2_000, lookup: testLookup });
  const port = receiver.port;
  const before = receiver.hits.length;
  const spellings = [
    `http://127.0.0.1:${port}/`,
    `http://127.1:${port}/`,
    `http://2130706433:${port}/`,
    `http://0x7f000001:${port}/`,
    `http://0177.0.0.1:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://[::ffff:7f00:1]:${port}/`,
    `http://[0:0:0:0:0:ffff:7f00:1]:${port}/`,
    `http://localhost:${port}/`,
    `http://${INSIDE_NAME}:${port}/`,
  ];
  for (const url of spellings) {
    await assert.rejects(
      request(url, { dispatcher, method: 'POST', body: '{}' }),
      (err: Error) => err instanceof WebhookTargetError || (err.cause as Error) instanceof WebhookTargetError,
      url,
    );
  }
  assert.equal(receiver.hits.length, before, 'the listener received nothing');
  await dispatcher.close();
});
