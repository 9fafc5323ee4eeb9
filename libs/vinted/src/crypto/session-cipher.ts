import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const IV_BYTES = 12;
const TAG_BYTES = 16;
const SALT = 'hourglass vinted sessions';

interface SessionKey {
  id: string;
  key: Buffer;
}

export interface SealedCookies {
  keyId: string;
  sealed: string;
}

/** What `open` reports when it cannot give the plain text back. */
export type OpenFailure = 'no_secret' | 'unknown_key' | 'tampered';

const OPEN_FAILURES: Record<OpenFailure, string> = {
  // Not "another key": with no secret at all, setting one is the fix.
  no_secret: 'VINTED_CREDENTIALS_SECRET is not set, so no stored session can be decrypted',
  unknown_key: 'the session was encrypted with a key this server does not have',
  tampered: 'the encrypted session failed its integrity check',
};

export class SessionCipherError extends Error {
  constructor(readonly reason: OpenFailure) {
    super(OPEN_FAILURES[reason]);
    this.name = SessionCipherError.name;
  }
}

/**
 * A key from a secret: HKDF-SHA256, so the stored bytes depend on the secret only through a
 * one-way derivation. Its id is derived the same way with another `info`: stable for a secret,
 * and it reveals nothing about the key, so it can sit in clear next to the ciphertext.
 */
export function deriveSessionKey(secret: string): SessionKey {
  const key = Buffer.from(hkdfSync('sha256', secret, SALT, 'aes-256-gcm key v1', 32));
  const id = `k1-${Buffer.from(hkdfSync('sha256', secret, SALT, 'key id v1', 6)).toString('hex')}`;
  return { id, key };
}

/**
 * AES-256-GCM for stored cookie jars, with a random 96-bit nonce per encryption. The additional
 * data binds a ciphertext to its row (`aad`, e.g. the owner's id): a copy pasted onto another
 * row does not open. Encrypts with the current key; opens with the current or the previous one
 * (VINTED_CREDENTIALS_SECRET_PREVIOUS) so a secret rotation does not stop reading old rows.
 */
export class SessionCipher {
  private readonly current?: SessionKey;
  private readonly keys = new Map<string, Buffer>();

  constructor(secret: string | undefined, previousSecret?: string) {
    for (const candidate of [previousSecret, secret]) {
      if (candidate !== undefined && candidate !== '') {
        const derived = deriveSessionKey(candidate);
        this.keys.set(derived.id, derived.key);
      }
    }
    this.current = secret ? deriveSessionKey(secret) : undefined;
  }

  /** False when no VINTED_CREDENTIALS_SECRET is set: sessions are `requires_configuration`. */
  get configured(): boolean {
    return this.current !== undefined;
  }

  get currentKeyId(): string | undefined {
    return this.current?.id;
  }

  canOpen(keyId: string): boolean {
    return this.keys.has(keyId);
  }

  seal(plain: string, aad: string): SealedCookies {
    if (this.current === undefined) {
      throw new Error('SessionCipher.seal called without a configured secret');
    }
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return { keyId: this.current.id, sealed: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url') };
  }

  /** The plain text; throws `SessionCipherError` without a secret, for an unknown key or a modified ciphertext. */
  open(sealed: string, keyId: string, aad: string): string {
    const key = this.keys.get(keyId);
    if (key === undefined) {
      throw new SessionCipherError(this.keys.size === 0 ? 'no_secret' : 'unknown_key');
    }
    try {
      const data = Buffer.from(sealed, 'base64url');
      if (data.length < IV_BYTES + TAG_BYTES) {
        throw new SessionCipherError('tampered');
      }
      const decipher = createDecipheriv('aes-256-gcm', key, data.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(aad, 'utf8'));
      decipher.setAuthTag(data.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(data.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new SessionCipherError('tampered');
    }
  }
}
