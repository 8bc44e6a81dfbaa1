import { createHmac, timingSafeEqual } from 'node:crypto';

export type WebhookCheck = { ok: true; event: WebhookEvent } | { ok: false; reason: string };

export interface WebhookEvent {
  id: string;
  type: string;
  createdAt: string;
  data: Record<string, unknown>;
}

/**
 * Checks a Brandwright webhook: the `Brandwright-Signature` header (`t=<unix s>,v1=<hex
 * HMAC-SHA256(secret, "<t>.<raw body>")>`) over the exact raw body, within `toleranceSeconds` of
 * now (replays). Never throws: a missing or malformed header, a stale timestamp, a wrong
 * signature or a body that is not JSON each come back as `{ ok: false, reason }`. De-duplicate
 * accepted events on the `Brandwright-Delivery` header (delivery is at-least-once).
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined> | Headers,
  rawBody: string | Buffer,
  toleranceSeconds = 300,
  now = Date.now(),
): WebhookCheck {
  const header = headerValue(headers, 'brandwright-signature');
  if (!header) return { ok: false, reason: 'no Brandwright-Signature header' };
  const parts = new Map(
    header.split(',').map((part) => {
      const at = part.indexOf('=');
      return [part.slice(0, at).trim(), part.slice(at + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get('t'));
  const v1 = parts.get('v1') ?? '';
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return { ok: false, reason: 'a malformed Brandwright-Signature header' };
  if (Math.abs(now / 1000 - t) > toleranceSeconds) return { ok: false, reason: 'the signature’s timestamp is too old or too new' };
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
  if (!timingSafeEqual(expected, Buffer.from(v1, 'hex'))) return { ok: false, reason: 'the signature does not match' };
  try {
    return { ok: true, event: JSON.parse(body) as WebhookEvent };
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
}

function headerValue(headers: Record<string, string | string[] | undefined> | Headers, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name);
  const value = key ? record[key] : undefined;
  return Array.isArray(value) ? value[0] : value;
}
