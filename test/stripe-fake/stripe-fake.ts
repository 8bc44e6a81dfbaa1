import { createHmac, randomBytes } from 'node:crypto';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeStripeForm } from './form-body';
import { seededRandom } from '../../libs/generation/src/runtime/seeded-random';

/**
 * A local Stripe: the part of Stripe's HTTP API Brandwright uses, reached by the real `stripe` SDK
 * through its host/port/protocol options. It keeps state in memory, dedupes meter events by
 * identifier (counting the duplicates it saw), replays POSTs by Idempotency-Key as Stripe does,
 * signs webhooks as Stripe does, and can be told to fail: answer 500, time out (after doing the
 * work, the worst case for a client), or deliver each webhook several times.
 */
export interface StripeFakeOptions {
  /** The secret key clients must send; any `sk_test_…` is accepted when unset. */
  secretKey?: string;
  /** Where webhooks go (POST), and the secret they are signed with. */
  webhookUrl?: string;
  webhookSecret?: string;
  /** Seed for the fault dice, so a run can be repeated. */
  seed?: number;
}

export interface StripeFakeFaults {
  /** Share of matching requests answered with a 500 before doing anything. */
  failRate?: number;
  /** Share of matching requests processed and then never answered. */
  timeoutRate?: number;
  /** Which request paths the faults apply to (default: all API paths). */
  pathPattern?: RegExp;
  /** Deliver every webhook this many times (default 1). */
  webhookDeliveries?: number;
}

export interface AcceptedMeterEvent {
  identifier: string;
  eventName: string;
  customer: string;
  value: number;
  timestamp: number;
}

export interface WebhookDelivery {
  eventId: string;
  type: string;
  status: number;
}

type Obj = Record<string, unknown> & { id: string };

class FakeError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

const nowSeconds = () => Math.floor(Date.now() / 1000);
const newId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;
const list = (data: unknown[], url: string) => ({ object: 'list', data, has_more: false, url });

export class StripeFake {
  readonly customers = new Map<string, Obj>();
  readonly products = new Map<string, Obj>();
  readonly prices = new Map<string, Obj>();
  readonly meters = new Map<string, Obj>();
  readonly checkoutSessions = new Map<string, Obj>();
  readonly subscriptions = new Map<string, Obj>();
  readonly invoices = new Map<string, Obj>();
  /** Meter events accepted, by identifier: each identifier is counted once. */
  readonly meterEvents = new Map<string, AcceptedMeterEvent>();
  /** Meter events received again with an identifier already accepted (and ignored). */
  duplicateMeterEvents = 0;
  /**
   * Meter event requests that reached processing (idempotent replays included) carrying at least
   * one identifier an earlier processed request carried. A client that resends only what timed
   * out makes at most one of these per timeout; one that resends blindly makes many more.
   */
  meterEventRequestsWithSeenIdentifier = 0;
  private readonly seenMeterEventIdentifiers = new Set<string>();
  /** Requests by outcome, for tests and the benchmark. */
  readonly stats = { requests: 0, failed500: 0, timedOut: 0, meterEventRequests: 0 };
  readonly deliveries: WebhookDelivery[] = [];
  /** Every event emitted, oldest first (to replay one). */
  readonly events: Obj[] = [];

  private faults: Required<Omit<StripeFakeFaults, 'pathPattern'>> & { pathPattern: RegExp | null } = {
    failRate: 0,
    timeoutRate: 0,
    pathPattern: null,
    webhookDeliveries: 1,
  };
  private readonly idempotent = new Map<string, { status: number; body: unknown }>();
  private readonly sessions = new Map<string, number>();
  private readonly hanging = new Set<ServerResponse>();
  private readonly random: () => number;
  private server: Server | null = null;
  private baseUrl = '';
  webhookUrl: string | undefined;
  readonly webhookSecret: string;

  constructor(private readonly options: StripeFakeOptions = {}) {
    this.random = seededRandom(options.seed ?? 42);
    this.webhookUrl = options.webhookUrl;
    this.webhookSecret = options.webhookSecret ?? `whsec_${randomBytes(16).toString('hex')}`;
  }

  /** Listens on 127.0.0.1 (port 0: any free port) and returns what the SDK needs. */
  async start(port = 0): Promise<{ host: string; port: number; protocol: 'http'; url: string }> {
    this.server = createServer((req, res) => void this.route(req, res));
    this.server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${address.port}`;
    return { host: '127.0.0.1', port: address.port, protocol: 'http', url: this.baseUrl };
  }

  async stop(): Promise<void> {
    for (const res of this.hanging) res.socket?.destroy();
    this.hanging.clear();
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = null;
  }

  /** Where it listens, once started (http://127.0.0.1:<port>). */
  get url(): string {
    return this.baseUrl;
  }

  setFaults(faults: StripeFakeFaults): void {
    this.faults = {
      failRate: faults.failRate ?? 0,
      timeoutRate: faults.timeoutRate ?? 0,
      pathPattern: faults.pathPattern ?? null,
      webhookDeliveries: faults.webhookDeliveries ?? 1,
    };
  }

  /** The total `value` of accepted meter events, per customer. */
  meteredValue(customer?: string): number {
    let sum = 0;
    for (const e of this.meterEvents.values()) if (!customer || e.customer === customer) sum += e.value;
    return sum;
  }

  // ---- What a customer does in Stripe's hosted pages, and what Stripe then does on its own ----

  /** The customer pays on the Checkout page: a subscription starts, its first invoice is paid. */
  async completeCheckout(sessionId: string): Promise<Obj> {
    const session = this.checkoutSessions.get(sessionId);
    if (!session) throw new Error(`no checkout session ${sessionId}`);
    if (session.status === 'complete') return this.subscriptions.get(session.subscription as string)!;
    const lineItems = (session.line_items as Array<{ price: string; quantity?: string }> | undefined) ?? [];
    const start = nowSeconds();
    const end = start + 30 * 86_400;
    const subscription: Obj = {
      id: newId('sub'),
      object: 'subscription',
      customer: session.customer,
      status: 'active',
      created: start,
      metadata: (session.subscription_data as { metadata?: Record<string, string> } | undefined)?.metadata ?? {},
      items: list(
        lineItems.map((li) => ({
          id: newId('si'),
          object: 'subscription_item',
          price: this.prices.get(li.price) ?? { id: li.price, object: 'price', lookup_key: null },
          quantity: li.quantity ? Number(li.quantity) : undefined,
          current_period_start: start,
          current_period_end: end,
        })),
        '/v1/subscription_items',
      ),
    };
    this.subscriptions.set(subscription.id, subscription);
    Object.assign(session, { status: 'complete', payment_status: 'paid', subscription: subscription.id });
    const invoice = this.createInvoice(subscription, 'paid');
    await this.emit('checkout.session.completed', session);
    await this.emit('customer.subscription.created', subscription);
    await this.emit('invoice.paid', invoice);
    return subscription;
  }

  /** A renewal charge is declined: the invoice stays open, the subscription goes past_due. */
  async failPayment(subscriptionId: string): Promise<Obj> {
    const subscription = this.mustGet(this.subscriptions, subscriptionId, 'subscription');
    const invoice = this.createInvoice(subscription, 'open');
    subscription.status = 'past_due';
    await this.emit('invoice.payment_failed', invoice);
    await this.emit('customer.subscription.updated', subscription);
    return invoice;
  }

  /** The customer fixes their card: open invoices are paid, the subscription is active again. */
  async payOpenInvoices(subscriptionId: string): Promise<void> {
    const subscription = this.mustGet(this.subscriptions, subscriptionId, 'subscription');
    for (const invoice of this.invoices.values()) {
      if (invoice.subscription !== subscriptionId || invoice.status !== 'open') continue;
      Object.assign(invoice, { status: 'paid', amount_paid: invoice.amount_due });
      await this.emit('invoice.paid', invoice);
    }
    subscription.status = 'active';
    await this.emit('customer.subscription.updated', subscription);
  }

  async cancelSubscription(subscriptionId: string): Promise<void> {
    const subscription = this.mustGet(this.subscriptions, subscriptionId, 'subscription');
    subscription.status = 'canceled';
    await this.emit('customer.subscription.deleted', subscription);
  }

  /** Builds a Stripe event around `object` and delivers it (as many times as the faults say). */
  async emit(type: string, object: Obj, times = this.faults.webhookDeliveries): Promise<Obj> {
    const event: Obj = {
      id: newId('evt'),
      object: 'event',
      api_version: '2026-10-28.endive',
      created: nowSeconds(),
      type,
      livemode: false,
      pending_webhooks: 1,
      data: { object: structuredClone(object) },
    };
    this.events.push(event);
    for (let i = 0; i < times; i++) await this.deliver(event);
    return event;
  }

  /** Signs as Stripe does: `t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`. */
  sign(body: string, timestamp = nowSeconds(), secret = this.webhookSecret): string {
    const v1 = createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    return `t=${timestamp},v1=${v1}`;
  }

  /** POSTs one event to the webhook URL; records the answer. */
  async deliver(event: Obj, signature?: string): Promise<number> {
    if (!this.webhookUrl) return 0;
    const body = JSON.stringify(event);
    let status: number;
    try {
      const res = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'stripe-signature': signature ?? this.sign(body) },
        body,
      });
      status = res.status;
      await res.arrayBuffer();
    } catch {
      status = 0;
    }
    this.deliveries.push({ eventId: event.id, type: event.type as string, status });
    return status;
  }

  // ---- HTTP ----

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.baseUrl || 'http://127.0.0.1');
    const raw = await readBody(req);
    try {
      if (url.pathname.startsWith('/_fake/')) return this.control(req, res, url, raw);
      this.stats.requests++;
      const roll = this.faults.pathPattern === null || this.faults.pathPattern.test(url.pathname);
      if (roll && this.random() < this.faults.failRate) {
        this.stats.failed500++;
        return send(res, 500, { error: { type: 'api_error', message: 'The fake Stripe failed this request on purpose.' } });
      }
      const hangAfter = roll && this.random() < this.faults.timeoutRate;
      this.recordMeterEventIdentifiers(req, url, raw);
      const key = req.method === 'POST' ? req.headers['idempotency-key'] : undefined;
      const cacheKey = typeof key === 'string' ? `${url.pathname} ${key}` : null;
      let answer = cacheKey ? this.idempotent.get(cacheKey) : undefined;
      if (!answer) {
        try {
          answer = { status: 200, body: this.api(req, url, raw) };
        } catch (err) {
          if (!(err instanceof FakeError)) throw err;
          answer = { status: err.status, body: { error: { type: err.type, message: err.message, code: err.code } } };
        }
        if (cacheKey && answer.status < 500) this.idempotent.set(cacheKey, answer);
      }
      if (hangAfter) {
        // The work is done (and cached under the idempotency key); the answer never comes.
        this.stats.timedOut++;
        this.hanging.add(res);
        res.on('close', () => this.hanging.delete(res));
        return;
      }
      return send(res, answer.status, answer.body);
    } catch (err) {
      return send(res, 500, { error: { type: 'api_error', message: (err as Error).message } });
    }
  }

  private recordMeterEventIdentifiers(req: IncomingMessage, url: URL, raw: string): void {
    if (req.method !== 'POST') return;
    let identifiers: string[];
    if (url.pathname === '/v2/billing/meter_event_stream') {
      const body = (raw ? JSON.parse(raw) : {}) as { events?: Array<{ identifier?: string }> };
      identifiers = (body.events ?? []).flatMap((e) => (e.identifier ? [e.identifier] : []));
    } else if (url.pathname === '/v1/billing/meter_events') {
      const identifier = (decodeStripeForm(raw) as { identifier?: string }).identifier;
      identifiers = identifier ? [identifier] : [];
    } else return;
    if (identifiers.some((id) => this.seenMeterEventIdentifiers.has(id))) this.meterEventRequestsWithSeenIdentifier++;
    for (const id of identifiers) this.seenMeterEventIdentifiers.add(id);
  }

  private authenticate(req: IncomingMessage, url: URL): void {
    const auth = req.headers.authorization ?? '';
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    if (url.pathname === '/v2/billing/meter_event_stream') {
      const expires = this.sessions.get(token);
      if (!expires || expires < Date.now()) {
        throw new FakeError(401, 'temporary_session_expired', 'The meter event session has expired.', 'temporary_session_expired');
      }
      return;
    }
    const ok = this.options.secretKey ? token === this.options.secretKey : token.startsWith('sk_test_');
    if (!ok) throw new FakeError(401, 'authentication_error', 'Invalid API Key provided.');
  }

  private api(req: IncomingMessage, url: URL, raw: string): unknown {
    this.authenticate(req, url);
    const method = req.method ?? 'GET';
    const isJson = (req.headers['content-type'] ?? '').includes('application/json');
    const params: Record<string, any> =
      method === 'GET' ? decodeStripeForm(url.search.slice(1)) : isJson ? (raw ? JSON.parse(raw) : {}) : decodeStripeForm(raw);
    const path = url.pathname;
    const route = `${method} ${path.replace(/\/(cus|prod|price|mtr|cs|sub|in|bps)_[A-Za-z0-9]+|\/brandwright_[a-z_]+/g, (m) => `/:${m.slice(1).split('_')[0]}`)}`;
    const idInPath = (i: number) => path.split('/')[i];

    switch (route) {
      case 'POST /v1/customers': {
        const customer: Obj = {
          id: newId('cus'),
          object: 'customer',
          name: params.name ?? null,
          email: params.email ?? null,
          metadata: params.metadata ?? {},
          created: nowSeconds(),
        };
        this.customers.set(customer.id, customer);
        return customer;
      }
      case 'GET /v1/customers/:cus':
        return this.mustGet(this.customers, idInPath(3), 'customer');

      case 'POST /v1/products': {
        const id = params.id ?? newId('prod');
        if (this.products.has(id))
          throw new FakeError(400, 'invalid_request_error', `Product already exists: ${id}`, 'resource_already_exists');
        const product: Obj = { id, object: 'product', name: params.name, active: true, metadata: params.metadata ?? {} };
        this.products.set(id, product);
        return product;
      }
      case 'GET /v1/products/:brandwright':
      case 'GET /v1/products/:prod':
        return this.mustGet(this.products, idInPath(3), 'product');

      case 'POST /v1/prices': {
        const price: Obj = {
          id: newId('price'),
          object: 'price',
          active: true,
          product: params.product,
          lookup_key: params.lookup_key ?? null,
          currency: params.currency,
          unit_amount: params.unit_amount ? Number(params.unit_amount) : null,
          recurring: params.recurring ?? null,
          billing_scheme: params.billing_scheme ?? 'per_unit',
          tiers_mode: params.tiers_mode ?? null,
          metadata: params.metadata ?? {},
        };
        this.prices.set(price.id, price);
        return price;
      }
      case 'GET /v1/prices': {
        const keys: string[] = params.lookup_keys ?? [];
        const data = [...this.prices.values()].filter((p) => keys.length === 0 || keys.includes(p.lookup_key as string));
        return list(data, '/v1/prices');
      }

      case 'POST /v1/billing/meters': {
        const meter: Obj = {
          id: newId('mtr'),
          object: 'billing.meter',
          display_name: params.display_name,
          event_name: params.event_name,
          status: 'active',
          customer_mapping: params.customer_mapping,
          value_settings: params.value_settings,
          default_aggregation: params.default_aggregation,
        };
        this.meters.set(meter.id, meter);
        return meter;
      }
      case 'GET /v1/billing/meters':
        return list([...this.meters.values()], '/v1/billing/meters');
      case 'GET /v1/billing/meters/:mtr/event_summaries': {
        const meter = this.mustGet(this.meters, idInPath(4), 'billing.meter');
        const start = Number(params.start_time);
        const end = Number(params.end_time);
        let value = 0;
        for (const e of this.meterEvents.values()) {
          if (e.eventName === meter.event_name && e.customer === params.customer && e.timestamp >= start && e.timestamp < end)
            value += e.value;
        }
        return list(
          [
            {
              id: newId('mtrusg'),
              object: 'billing.meter_event_summary',
              aggregated_value: value,
              start_time: start,
              end_time: end,
              livemode: false,
              meter: meter.id,
            },
          ],
          `/v1/billing/meters/${meter.id}/event_summaries`,
        );
      }
      case 'POST /v1/billing/meter_events': {
        this.stats.meterEventRequests++;
        const event = {
          event_name: params.event_name,
          identifier: params.identifier ?? newId('mev'),
          payload: params.payload ?? {},
          timestamp: Number(params.timestamp ?? nowSeconds()),
        };
        this.acceptMeterEvent(event.event_name, event.identifier, event.payload, event.timestamp);
        return { object: 'billing.meter_event', created: nowSeconds(), livemode: false, ...event };
      }
      case 'POST /v2/billing/meter_event_session': {
        const token = `mes_${randomBytes(16).toString('hex')}`;
        const expiresAt = Date.now() + 15 * 60_000;
        this.sessions.set(token, expiresAt);
        return {
          id: newId('mes'),
          object: 'v2.billing.meter_event_session',
          authentication_token: token,
          created: new Date().toISOString(),
          expires_at: new Date(expiresAt).toISOString(),
          livemode: false,
        };
      }
      case 'POST /v2/billing/meter_event_stream': {
        this.stats.meterEventRequests++;
        const events: Array<{ event_name: string; identifier?: string; payload: Record<string, string>; timestamp?: string }> =
          params.events ?? [];
        if (events.length > 100) throw new FakeError(400, 'invalid_request_error', 'At most 100 events per request.');
        for (const e of events) {
          const ts = e.timestamp ? Math.floor(Date.parse(e.timestamp) / 1000) : nowSeconds();
          this.acceptMeterEvent(e.event_name, e.identifier ?? newId('mev'), e.payload, ts);
        }
        return {};
      }

      case 'POST /v1/checkout/sessions': {
        const session: Obj = {
          id: newId('cs'),
          object: 'checkout.session',
          mode: params.mode,
          status: 'open',
          payment_status: 'unpaid',
          customer: params.customer ?? null,
          client_reference_id: params.client_reference_id ?? null,
          metadata: params.metadata ?? {},
          subscription: null,
          success_url: params.success_url,
          cancel_url: params.cancel_url,
          line_items: params.line_items ?? [],
          subscription_data: params.subscription_data ?? {},
          created: nowSeconds(),
        };
        session.url = `${this.baseUrl}/_fake/checkout/${session.id}`;
        this.checkoutSessions.set(session.id, session);
        const { line_items: _li, subscription_data: _sd, ...visible } = session;
        return visible;
      }
      case 'POST /v1/billing_portal/sessions': {
        this.mustGet(this.customers, params.customer, 'customer');
        const id = newId('bps');
        return {
          id,
          object: 'billing_portal.session',
          customer: params.customer,
          return_url: params.return_url,
          url: `${this.baseUrl}/_fake/portal/${id}`,
          created: nowSeconds(),
        };
      }
      case 'GET /v1/subscriptions/:sub':
        return this.mustGet(this.subscriptions, idInPath(3), 'subscription');
      case 'GET /v1/invoices': {
        const data = [...this.invoices.values()]
          .filter((i) => !params.customer || i.customer === params.customer)
          .sort((a, b) => (b.created as number) - (a.created as number))
          .slice(0, Number(params.limit ?? 10));
        return list(data, '/v1/invoices');
      }
      default:
        throw new FakeError(404, 'invalid_request_error', `Unrecognized request URL (${method}: ${path}) in the Stripe fake.`);
    }
  }

  private acceptMeterEvent(eventName: string, identifier: string, payload: Record<string, string>, timestamp: number): void {
    if (this.meterEvents.has(identifier)) {
      this.duplicateMeterEvents++;
      return;
    }
    this.meterEvents.set(identifier, {
      identifier,
      eventName,
      customer: payload.stripe_customer_id,
      value: Number(payload.value ?? 1),
      timestamp,
    });
  }

  private createInvoice(subscription: Obj, status: 'paid' | 'open'): Obj {
    const fee = ((subscription.items as { data: Array<{ price: { unit_amount?: number | null } }> }).data[0]?.price.unit_amount ??
      0) as number;
    const now = nowSeconds();
    const invoice: Obj = {
      id: newId('in'),
      object: 'invoice',
      number: `FAKE-${String(this.invoices.size + 1).padStart(4, '0')}`,
      customer: subscription.customer,
      subscription: subscription.id,
      status,
      currency: 'usd',
      amount_due: fee,
      amount_paid: status === 'paid' ? fee : 0,
      attempt_count: 1,
      period_start: now,
      period_end: now,
      created: now,
      hosted_invoice_url: `${this.baseUrl}/_fake/invoice/${this.invoices.size + 1}`,
      invoice_pdf: null,
    };
    this.invoices.set(invoice.id, invoice);
    return invoice;
  }

  private mustGet(map: Map<string, Obj>, id: string, what: string): Obj {
    const found = map.get(id);
    if (!found) throw new FakeError(404, 'invalid_request_error', `No such ${what}: '${id}'`, 'resource_missing');
    return found;
  }

  /** Controls for people and scripts: `GET /_fake/checkout/:id` completes a checkout and redirects. */
  private async control(req: IncomingMessage, res: ServerResponse, url: URL, raw: string): Promise<void> {
    const [, , what, id] = url.pathname.split('/');
    if (what === 'checkout' && id) {
      const session = this.mustGet(this.checkoutSessions, id, 'checkout session');
      await this.completeCheckout(id);
      res.writeHead(303, { location: String(session.success_url ?? '/') }).end();
      return;
    }
    if (what === 'portal') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Stripe fake: customer portal</h1><p>Nothing to manage here.</p>');
      return;
    }
    if (what === 'faults' && req.method === 'POST') {
      const body = raw ? JSON.parse(raw) : {};
      this.setFaults({ ...body, pathPattern: body.pathPattern ? new RegExp(body.pathPattern) : undefined });
      return send(res, 200, { ok: true });
    }
    if (what === 'fail-payment' && id) {
      return send(res, 200, await this.failPayment(id));
    }
    if (what === 'state') {
      return send(res, 200, {
        customers: this.customers.size,
        subscriptions: [...this.subscriptions.values()],
        meterEvents: this.meterEvents.size,
        duplicateMeterEvents: this.duplicateMeterEvents,
        stats: this.stats,
        deliveries: this.deliveries.slice(-50),
      });
    }
    return send(res, 404, { error: { type: 'invalid_request_error', message: `no fake control ${url.pathname}` } });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': newId('req'), 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
