import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const alphabet = 'abcdefghijkmnpqrstuvwxyz23456789'; // no l, o, 0, 1: easy to read back

/** A random string over an unambiguous alphabet. */
export function randomToken(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[bytes[i] % alphabet.length];
  return out;
}

export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}
