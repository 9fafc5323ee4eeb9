import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * AES-256-GCM for the stored Baileys credentials and signal keys (they are a logged-in WhatsApp
 * device: whoever holds them can read and send messages). The key is derived (HKDF-SHA256) from
 * WHATSAPP_CREDENTIALS_SECRET, or from JWT_SIGNING_KEY when that is unset; a dedicated secret
 * lets the JWT key rotate without logging every WhatsApp session out. Each value is bound to its
 * row (`aad`), so rows cannot be swapped between sessions in the database.
 */
export class CredentialsCipher {
  private readonly key: Buffer;

  constructor(secret: string) {
    if (secret.length < 32) {
      throw new Error(
        'The WhatsApp credentials key needs a secret of at least 32 characters (WHATSAPP_CREDENTIALS_SECRET or JWT_SIGNING_KEY)',
      );
    }
    this.key = Buffer.from(hkdfSync('sha256', secret, 'hourglass', 'whatsapp credentials v1', 32));
  }

  seal(plain: string, aad: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plain text; throws when the value was sealed with another key or for another row. */
  open(sealed: string, aad: string): string {
    const data = Buffer.from(sealed, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, data.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
  }
}
