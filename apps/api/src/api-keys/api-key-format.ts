import { randomToken, sha256Hex } from '../common/auth/secrets';

/** `bw_<prefix>_<secret>`: the prefix identifies the key, the secret proves it. */
const keyPattern = /^bw_([a-z2-9]{10})_([a-z2-9]{40})$/;

export interface MintedKey {
  plaintext: string;
  prefix: string;
  secretHash: string;
}

export function mintApiKey(): MintedKey {
  const prefix = randomToken(10);
  const secret = randomToken(40);
  return { plaintext: `bw_${prefix}_${secret}`, prefix, secretHash: sha256Hex(secret) };
}

/** Splits a presented key; null when it is not shaped like one of ours. */
export function parseApiKey(value: string): { prefix: string; secretHash: string } | null {
  const match = keyPattern.exec(value);
  return match ? { prefix: match[1], secretHash: sha256Hex(match[2]) } : null;
}

export function looksLikeApiKey(value: string): boolean {
  return value.startsWith('bw_');
}
