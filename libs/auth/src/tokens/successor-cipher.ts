import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppConfig } from '@app/config';
import { Injectable } from '@nestjs/common';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for the one raw token we keep: a rotated token's successor, so that a retry of the
 * rotation within the grace window (a lost response) gets the very same successor back. The key
 * is derived from JWT_SIGNING_KEY (always set: generated in development, required in production)
 * so a database dump alone does not reveal live refresh tokens.
 */
@Injectable()
export class SuccessorCipher {
  private readonly key: Buffer;

  constructor(config: AppConfig) {
    const secret = config.JWT_SIGNING_KEY ?? config.JWT_PRIVATE_KEY ?? '';
    this.key = Buffer.from(hkdfSync('sha256', secret, 'hourglass', 'refresh-token successor v1', 32));
  }

  encrypt(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** The plain text, or `undefined` if it was not encrypted with this key. */
  decrypt(sealed: string): string | undefined {
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
