import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for a short secret kept at rest (a rotated refresh token's successor, a webhook's
 * signing secret), with a key derived by HKDF-SHA256 from a server secret and a purpose (`info`),
 * so each use has its own key and a database dump alone reveals nothing. A random 96-bit nonce per
 * seal; the sealed form is base64url of nonce, tag and cipher text.
 */
export class SealedText {
  private readonly key: Buffer;

  constructor(secret: string, info: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'hourglass', info, 32));
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The plain text, or `undefined` if it was not sealed with this key (or was altered). */
  open(sealed: string): string | undefined {
    try {
      const data = Buffer.from(sealed, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, IV_BYTES));
      decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}
