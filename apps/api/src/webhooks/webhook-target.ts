import { lookup as dnsLookup } from 'node:dns';
import { lookup as dnsLookupAll } from 'node:dns/promises';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, buildConnector, type Dispatcher } from 'undici';

/**
 * Client webhooks are requests our servers make to addresses a tenant chose. Unless the operator
 * allows it (WEBHOOK_ALLOW_PRIVATE_TARGETS, for a closed network or tests), an endpoint may not
 * reach into our own network: loopback, private ranges, link-local (cloud metadata), CGNAT, and
 * every other range that is not global unicast.
 *
 * Two layers: `assertPublicTarget` refuses an obviously bad URL when an endpoint is registered
 * (a clear error for the client), and `createWebhookDispatcher` checks the address actually
 * connected to, after DNS, so a name that resolves to 127.0.0.1 (or is re-pointed there later) is
 * refused too. The second is the guarantee; the first is a courtesy.
 */
export class WebhookTargetError extends Error {}

/** What the delivery log says when the connect-time check refused an address. */
export const REFUSED_PRIVATE_ADDRESS = 'refused: private address';

/**
 * Parses an address in any spelling Node or a URL parser accepts (IPv4 in decimal, octal, hex or
 * short form; IPv6 with an embedded IPv4) and normalises IPv4-mapped IPv6 to IPv4.
 */
function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  const bare = ip.replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  try {
    return ipaddr.process(bare);
  } catch {
    return null;
  }
}

/**
 * True for addresses a webhook must not reach. Only global unicast passes: everything ipaddr.js
 * classifies otherwise (loopback, private, linkLocal, carrierGradeNat, benchmarking, multicast,
 * unspecified, reserved, NAT64/6to4/Teredo wrappers around an IPv4, …) is refused, and so is the
 * deprecated IPv4-compatible ::/96 block, which ipaddr.js counts as unicast. An unparseable
 * string is refused, so the check fails closed.
 */
export function isPrivateAddress(ip: string): boolean {
  const address = parseAddress(ip);
  if (!address) return true;
  if (address.range() !== 'unicast') return true;
  if (address.kind() === 'ipv6') {
    const parts = (address as ipaddr.IPv6).parts;
    if (parts.slice(0, 6).every((p) => p === 0)) return true; // ::/96, IPv4-compatible
  }
  return false;
}

function isIpLiteral(host: string): boolean {
  return ipaddr.isValid(host.replace(/^\[|\]$/g, ''));
}

/**
 * Refuses a URL whose host is, or resolves to, a private address. A host that does not resolve
 * passes registration (the connect-time check refuses it at delivery if it then resolves inside).
 */
export async function assertPublicTarget(url: string, options: { allowPrivate: boolean; requireResolution: boolean }): Promise<void> {
  if (options.allowPrivate) return;
  // WHATWG URL parsing already rewrites 2130706433, 0x7f.1, 0177.0.0.1 and 127.1 to 127.0.0.1.
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIpLiteral(host)) addresses = [host];
  else {
    try {
      addresses = (await dnsLookupAll(host, { all: true, verbatim: true })).map((a) => a.address);
    } catch {
      if (options.requireResolution) throw new WebhookTargetError(`${host} does not resolve`);
      return;
    }
  }
  const blocked = addresses.find(isPrivateAddress);
  if (blocked) throw new WebhookTargetError(`${host} points at ${blocked}, a private or local address`);
}

type LookupAddress = { address: string; family: number };

/** Wraps a resolver so that it fails when any address a name resolves to is private. */
export function publicOnlyLookup(lookup: LookupFunction = dnsLookup): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, options, (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => {
      if (err) return callback(err, address as string, family);
      const all: LookupAddress[] = Array.isArray(address) ? address : [{ address, family: family ?? 0 }];
      if (all.length === 0 || all.some((a) => isPrivateAddress(a.address))) {
        return callback(new WebhookTargetError(`${hostname} resolves to a private address`), '', 0);
      }
      (callback as (e: null, a: string | LookupAddress[], f?: number) => void)(null, address, family);
    });
  };
}

/**
 * The HTTP client for webhook deliveries. Every connection it opens is checked after DNS, at
 * connect time: an IP literal in the URL is checked directly (Node skips the lookup for those),
 * a name through the resolver wrapped by `publicOnlyLookup`. No proxy from the environment is
 * used, and undici's `request` follows no redirects.
 */
export function createWebhookDispatcher(options: { allowPrivate: boolean; connectTimeoutMs: number; lookup?: LookupFunction }): Dispatcher {
  const lookup = options.allowPrivate ? (options.lookup ?? dnsLookup) : publicOnlyLookup(options.lookup);
  const connector = buildConnector({ timeout: options.connectTimeoutMs, lookup });
  return new Agent({
    connect: (connectOptions, callback) => {
      const host = connectOptions.hostname.replace(/^\[|\]$/g, '');
      if (!options.allowPrivate && isIpLiteral(host) && isPrivateAddress(host)) {
        return callback(new WebhookTargetError(`${host} is a private address`), null);
      }
      return connector(connectOptions, callback);
    },
  });
}

/** The text a delivery log shows for a failed attempt: never raw socket or DNS text. */
export function deliveryProblem(error: unknown): string {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (e instanceof WebhookTargetError) return REFUSED_PRIVATE_ADDRESS;
  }
  return 'connection failed';
}
