import { createHash, createHmac } from 'node:crypto';
import type { AssetStorage } from './asset-storage';

export interface S3Options {
  endpoint: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
}

const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * Signs a request with AWS Signature Version 4 (header form). Exported for its test against the
 * example in AWS's documentation.
 */
export function signV4(input: {
  method: string;
  url: URL;
  headers: Record<string, string>;
  payloadHash: string;
  region: string;
  service: string;
  accessKeyId: string;
  secretAccessKey: string;
  now: Date;
}): Record<string, string> {
  const amzDate = input.now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {
    ...input.headers,
    host: input.url.host,
    'x-amz-date': amzDate,
    'x-amz-content-sha256': input.payloadHash,
  };
  const names = Object.keys(headers)
    .map((h) => h.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const query = [...input.url.searchParams.entries()]
    .map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [
    input.method,
    input.url.pathname
      .split('/')
      .map((p) => encodeURIComponent(decodeURIComponent(p)))
      .join('/'),
    query,
    names.map((n) => `${n}:${lower[n]}\n`).join(''),
    names.join(';'),
    input.payloadHash,
  ].join('\n');
  const scope = `${day}/${input.region}/${input.service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${input.secretAccessKey}`, day), input.region), input.service), 'aws4_request');
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${input.accessKeyId}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
  };
}

/** Any S3-compatible store (AWS, MinIO, R2…), path-style URLs, over fetch: no SDK needed for two calls. */
export class S3AssetStorage implements AssetStorage {
  constructor(private readonly options: S3Options) {}

  private url(key: string): URL {
    return new URL(`${this.options.endpoint.replace(/\/$/, '')}/${this.options.bucket}/${key}`);
  }

  private sign(method: string, url: URL, payloadHash: string, headers: Record<string, string> = {}) {
    const { region, accessKeyId, secretAccessKey } = this.options;
    return signV4({ method, url, headers, payloadHash, region, service: 's3', accessKeyId, secretAccessKey, now: new Date() });
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    const url = this.url(key);
    const headers = this.sign('PUT', url, sha256(bytes), { 'content-type': contentType });
    delete headers.host;
    const response = await fetch(url, { method: 'PUT', headers, body: new Uint8Array(bytes) });
    if (!response.ok) throw new Error(`S3 PUT ${key} failed: ${response.status} ${await response.text()}`);
  }

  async get(key: string): Promise<Buffer | null> {
    const url = this.url(key);
    const headers = this.sign('GET', url, sha256(''));
    delete headers.host;
    const response = await fetch(url, { headers });
    if (response.status === 404) return null;
    if (!response.ok) throw new Error(`S3 GET ${key} failed: ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  }
}
