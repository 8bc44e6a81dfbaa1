import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * An endpoint's signing secret is shown once. It must be stored recoverably (HMAC needs the
 * secret itself), so it is kept encrypted with AES-256-GCM under a key derived from the server
 * secret: a database dump alone does not let anyone forge deliveries.
 */
export class WebhookSecrets {
  private readonly key: Buffer;

  constructor(serverSecret: string) {
    this.key = createHmac('sha256', serverSecret).update('brandwright:webhook-secrets').digest();
  }

  static generate(): string {
    return `whsec_${randomBytes(24).toString('base64url')}`;
  }

  encrypt(secret: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), data].map((b) => b.toString('base64url')).join('.');
  }

  decrypt(ciphertext: string): string {
    const [iv, tag, data] = ciphertext.split('.').map((p) => Buffer.from(p, 'base64url'));
    const decipher = createDecipheriv('aes-256-gcm', this.key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  }
}
