import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

/**
 * Client webhooks are requests our servers make to addresses a tenant chose. Unless the operator
 * allows it (WEBHOOK_ALLOW_PRIVATE_TARGETS, for a closed network or tests), an endpoint may not
 * point into our own network: loopback, private ranges, link-local (cloud metadata), and the like.
 * Checked when an endpoint is registered and again before every delivery (DNS can change).
 */
export class WebhookTargetError extends Error {}

const v4Blocked: Array<[number, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
].map(([base, bits]) => [v4ToInt(base as string), bits as number]);

function v4ToInt(ip: string): number {
  return ip.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
}

/** True for addresses a webhook must not reach. */
export function isPrivateAddress(ip: string): boolean {
  if (isIP(ip) === 4) {
    const n = v4ToInt(ip);
    return v4Blocked.some(([base, bits]) => n >>> (32 - bits) === base >>> (32 - bits));
  }
  const lower = ip.toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped) return isPrivateAddress(mapped[1]);
  return lower === '::' || lower === '::1' || /^f[cd]/.test(lower) || /^fe[89ab]/.test(lower) || /^ff/.test(lower);
}

/**
 * Refuses a URL whose host is, or resolves to, a private address. A host that does not resolve
 * passes registration (it is checked again, and fails, at delivery).
 */
export async function assertPublicTarget(url: string, options: { allowPrivate: boolean; requireResolution: boolean }): Promise<void> {
  if (options.allowPrivate) return;
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      if (options.requireResolution) throw new WebhookTargetError(`${host} does not resolve`);
      return;
    }
  }
  const blocked = addresses.find(isPrivateAddress);
  if (blocked) throw new WebhookTargetError(`${host} points at ${blocked}, a private or local address`);
}
